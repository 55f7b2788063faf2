/**
 * Child processes for tests: free ports, and a watchdog so that nothing outlives the test run,
 * even when the test process is killed or interrupted.
 */

/** A free TCP port on 127.0.0.1 (the OS picks; we release it right away). */
export function freePort(): number {
  // The kernel may hand the same ephemeral port out again once it is closed: two calls in a row
  // once gave a broker and its controller the same port. Never return one twice in a process.
  for (;;) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

const handedOut = new Set<number>();

/**
 * Starts a watchdog shell that kills `pid` (SIGKILL) as soon as this Deno process is gone.
 * Returns a function that stops the watchdog.
 */
export function killWhenParentDies(pid: number): () => void {
  const script =
    `while kill -0 ${Deno.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 0.5; done; ` +
    `kill -9 ${pid} 2>/dev/null; exit 0`;
  const watchdog = new Deno.Command("bash", {
    args: ["-c", script],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  watchdog.unref();
  return () => {
    try {
      watchdog.kill("SIGKILL");
    } catch {
      // already gone
    }
  };
}

/** Waits until a TCP connection to host:port succeeds, or throws after `timeoutMs`. */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  hostname = "127.0.0.1",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const connection = await Deno.connect({ hostname, port });
      connection.close();
      return;
    } catch {
      // sleep-ok: poll interval of a wait loop
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    // sleep-ok: eventually()'s own poll interval
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
}
