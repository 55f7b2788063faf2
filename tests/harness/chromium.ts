/**
 * A real headless Chromium (the distribution's `chromium`) driven over the DevTools protocol: the
 * few commands the status-page test needs (open a page, evaluate script, press keys, click,
 * screenshot). No puppeteer: the protocol over one WebSocket is enough, and nothing is fetched.
 */
import { killWhenParentDies } from "./processes.ts";

/** One browser tab. */
export interface BrowserPage {
  /** Opens `url` and waits for its load event. */
  open(url: string): Promise<void>;
  /** The value of a JavaScript expression in the page (promises awaited). */
  evaluate<T>(expression: string): Promise<T>;
  /** Presses a key (e.g. "Enter", "Tab") in the focused element. */
  press(key: "Enter" | "Tab"): Promise<void>;
  /** Types text into the focused element, as keystrokes. */
  type(text: string): Promise<void>;
  /** A PNG of the viewport, written to `path`. */
  screenshot(path: string): Promise<void>;
}

/** A running browser; disposing it kills the process and removes its profile. */
export interface Browser extends AsyncDisposable {
  page: BrowserPage;
  /** Console errors and uncaught exceptions of the page so far. */
  pageErrors(): string[];
}

const KEYS = {
  Enter: { key: "Enter", code: "Enter", windowsVirtualKeyCode: 13, text: "\r" },
  Tab: { key: "Tab", code: "Tab", windowsVirtualKeyCode: 9 },
};

/** Starts headless Chromium with a fresh profile and attaches to its first tab. */
export async function startChromium(
  { width = 1280, height = 900 }: { width?: number; height?: number } = {},
): Promise<Browser> {
  const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
  const child = new Deno.Command("chromium", {
    args: [
      "--headless=new",
      "--no-sandbox", // the tests may run as root, where the sandbox refuses to start
      "--disable-gpu",
      "--no-first-run",
      "--disable-extensions",
      "--disable-background-networking",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      `--window-size=${width},${height}`,
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stopWatchdog = killWhenParentDies(child.pid);
  const port = await devToolsPort(child.stderr);
  const targets: Array<{ type: string; webSocketDebuggerUrl: string }> =
    await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const target = targets.find((candidate) => candidate.type === "page");
  if (!target) throw new Error("chromium opened no page");
  const session = await connect(target.webSocketDebuggerUrl);
  const errors: string[] = [];
  session.onEvent((method, params) => {
    if (method === "Runtime.exceptionThrown") {
      errors.push(JSON.stringify(params.exceptionDetails));
    } else if (method === "Runtime.consoleAPICalled" && params.type === "error") {
      errors.push(JSON.stringify(params.args));
    } else if (method === "Log.entryAdded") {
      const entry = params.entry as { level: string; text: string };
      if (entry.level === "error") errors.push(entry.text);
    }
  });
  await session.send("Page.enable");
  await session.send("Runtime.enable");
  await session.send("Log.enable");
  const page: BrowserPage = {
    async open(url) {
      const loaded = session.nextEvent("Page.loadEventFired");
      const answer = await session.send("Page.navigate", { url });
      if (answer.errorText) throw new Error(`navigating to ${url}: ${answer.errorText}`);
      await loaded;
    },
    async evaluate<T>(expression: string) {
      const answer = await session.send("Runtime.evaluate", {
        expression,
        awaitPromise: true,
        returnByValue: true,
      });
      if (answer.exceptionDetails) {
        throw new Error(`${expression}: ${JSON.stringify(answer.exceptionDetails)}`);
      }
      return (answer.result as { value: T }).value;
    },
    async press(key) {
      const { text, ...rest } = KEYS[key] as typeof KEYS[keyof typeof KEYS] & { text?: string };
      await session.send("Input.dispatchKeyEvent", { type: "keyDown", ...rest, text });
      await session.send("Input.dispatchKeyEvent", { type: "keyUp", ...rest });
    },
    async type(text) {
      for (const character of text) {
        await session.send("Input.dispatchKeyEvent", { type: "char", text: character });
      }
    },
    async screenshot(path) {
      const answer = await session.send("Page.captureScreenshot", { format: "png" });
      const bytes = Uint8Array.from(atob(answer.data as string), (char) => char.charCodeAt(0));
      await Deno.writeFile(path, bytes);
    },
  };
  return {
    page,
    pageErrors: () => [...errors],
    async [Symbol.asyncDispose]() {
      session.close();
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      stopWatchdog();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** Reads Chromium's stderr until it prints the DevTools port (the rest is drained). */
async function devToolsPort(stderr: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
    const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(seen);
    if (match) {
      void (async () => {
        while (!(await reader.read()).done) { /* drain */ }
      })().catch(() => {});
      return Number(match[1]);
    }
  }
  throw new Error(`chromium did not start its DevTools server:\n${seen}`);
}

type Params = Record<string, unknown>;

interface Session {
  send(method: string, params?: Params): Promise<Params>;
  nextEvent(method: string): Promise<Params>;
  onEvent(listener: (method: string, params: Params) => void): void;
  close(): void;
}

async function connect(url: string): Promise<Session> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(value: Params): void; reject(error: Error): void }>();
  const waiters = new Map<string, Array<(params: Params) => void>>();
  const listeners: Array<(method: string, params: Params) => void> = [];
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data as string);
    if (data.id !== undefined) {
      const call = pending.get(data.id);
      pending.delete(data.id);
      if (data.error) call?.reject(new Error(JSON.stringify(data.error)));
      else call?.resolve(data.result);
      return;
    }
    for (const listener of listeners) listener(data.method, data.params);
    const waiting = waiters.get(data.method) ?? [];
    waiters.delete(data.method);
    for (const resolve of waiting) resolve(data.params);
  };
  return {
    send(method, params = {}) {
      const id = nextId++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    nextEvent(method) {
      return new Promise((resolve) =>
        waiters.set(method, [...(waiters.get(method) ?? []), resolve])
      );
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    close() {
      socket.close();
    },
  };
}
