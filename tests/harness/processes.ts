/**
 * Child processes for tests: free ports, and a watchdog so that nothing outlives the test run,
 * even when the test process is killed or interrupted.
 */

/** A free TCP port on 127.0.0.1 (the OS picks; we release it right away). */
export function freePort(): number {
  // The kernel may hand the same ephemeral port out again once it is closed: two calls in a row
  // once gave a broker and its controller the same port. Never return one twice, in this test
  // file or in another one running in parallel (`deno test --parallel`): each port handed out is
  // claimed with a file only one caller can create.
  for (;;) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    if (claimPort(port)) return port;
  }
}

// `deno test --parallel` runs test files as isolates of one process: claims are kept per process.
const TEMP = Deno.env.get("TMPDIR") ?? "/tmp";
const CLAIMS_PREFIX = "kafka-lag-deno-test-ports-";
let claimsFolder: string | undefined;

function claimPort(port: number): boolean {
  if (claimsFolder === undefined) {
    claimsFolder = `${TEMP}/${CLAIMS_PREFIX}${Deno.pid}`;
    Deno.mkdirSync(claimsFolder, { recursive: true });
    removeClaimsOfEndedRuns();
  }
  try {
    Deno.writeTextFileSync(`${claimsFolder}/${port}`, "", { createNew: true });
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
}

/**
 * Claims folders of earlier runs: untouched for hours (each claim touches its folder). Whether
 * their process still runs cannot be asked here: Deno refuses /proc without --allow-all.
 */
function removeClaimsOfEndedRuns(): void {
  const before = Date.now() - 6 * 3_600_000;
  for (const entry of Deno.readDirSync(TEMP)) {
    if (!entry.isDirectory || !entry.name.startsWith(CLAIMS_PREFIX)) continue;
    const folder = `${TEMP}/${entry.name}`;
    try {
      if (folder === claimsFolder || (Deno.statSync(folder).mtime?.getTime() ?? 0) > before) {
        continue;
      }
      Deno.removeSync(folder, { recursive: true });
    } catch (error) {
      // Another test file of this run may be removing it at the same moment.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

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

/** Polls `done` every 50 ms until it is true; how long that took (throws past `timeoutMs`). */
export async function waitFor(
  what: string,
  { done, timeoutMs }: { done: () => boolean; timeoutMs: number },
): Promise<number> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not within ${timeoutMs} ms`);
    // sleep-ok: the poll interval
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}
