/**
 * A small HTTP/1.1 server for the exporter's ports, in place of Deno.serve, which has no header,
 * idle or write timeout: a client that sends half a request, or never reads its answer, kept its
 * connection (and the snapshot its answer streams) for ever. Here every connection has a deadline
 * for its request headers, an idle deadline between keep-alive requests, and one per write; the
 * number of connections is bounded (more are answered 503 and closed). Request bodies are not
 * read (GET and HEAD are all the exporter serves): such a request's connection is closed.
 */
import { type ByteConn, openListener } from "./conn_listener.ts";
import type { WebTls } from "./web_config.ts";

/** Deadlines and sizes of the server. */
export interface Http1Limits {
  /**
   * From a connection's start (TLS handshake included) to the end of its request headers; with
   * client certificates the handshake has this long, then the headers as long again.
   */
  headerTimeoutMs: number;
  /** A kept-alive connection without a new request is closed after this long. */
  idleTimeoutMs: number;
  /** One write the client does not take in this long closes the connection. */
  writeTimeoutMs: number;
  maxHeaderBytes: number;
  maxConnections: number;
}

/** Defaults: Prometheus scrapes at most every few minutes on a kept-alive connection. */
export const DEFAULT_HTTP1_LIMITS: Http1Limits = {
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 5 * 60_000 + 10_000,
  writeTimeoutMs: 30_000,
  maxHeaderBytes: 16 * 1024,
  maxConnections: 1_024,
};

/** Where and how to listen. */
export interface Http1ServerOptions {
  hostname: string;
  port: number;
  tls?: WebTls;
  limits?: Partial<Http1Limits>;
  onListen?(addr: Deno.NetAddr): void;
  onError?(error: unknown): Response;
  /** Told why a client certificate was refused. */
  onRefusedClient?(reason: string): void;
  /** Told of each new connection, before its TLS handshake. */
  onConnection?(): void;
}

/** A running server. */
export interface Http1Server {
  addr: Deno.NetAddr;
  /** Connections open now (each bounded by the limits' deadlines). */
  openConnections(): number;
  /** Stops accepting, closes idle connections, lets answers in progress finish. */
  shutdown(): Promise<void>;
}

type Handler = (request: Request) => Promise<Response>;

const encoder = new TextEncoder();
const HEAD_END = [13, 10, 13, 10];

/** Listens (AddrInUse when the port is taken) and serves `handler` until shutdown. */
export async function serveHttp1(
  options: Http1ServerOptions,
  handler: Handler,
): Promise<Http1Server> {
  const limits = { ...DEFAULT_HTTP1_LIMITS, ...options.limits };
  const listener = await openListener({
    hostname: options.hostname,
    port: options.port,
    tls: options.tls,
    handshakeTimeoutMs: limits.headerTimeoutMs,
    onRefusedClient: options.onRefusedClient,
    onConnection: options.onConnection,
  });
  const addr = listener.addr;
  options.onListen?.(addr);
  const scheme = options.tls ? "https" : "http";
  const connections = new Map<ByteConn, { busy: boolean }>();
  let closing = false;
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        if (connections.size >= limits.maxConnections) {
          void refuse(conn, limits.writeTimeoutMs);
          continue;
        }
        const state = { busy: false };
        connections.set(conn, state);
        void serveConnection(conn, {
          state,
          limits,
          handler,
          base: `${scheme}://${options.hostname.includes(":") ? "[::1]" : "localhost"}`,
          closing: () => closing,
          onError: options.onError,
        }).finally(() => connections.delete(conn));
      }
    } catch {
      // the listener was closed
    }
  })();
  return {
    addr,
    openConnections: () => connections.size,
    shutdown: async () => {
      closing = true;
      listener.close();
      await accepting;
      for (const [conn, state] of connections) if (!state.busy) closeQuietly(conn);
      while (connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    },
  };
}

/** What one connection's loop needs. */
interface ConnectionContext {
  state: { busy: boolean };
  limits: Http1Limits;
  handler: Handler;
  base: string;
  closing(): boolean;
  onError?(error: unknown): Response;
}

async function serveConnection(conn: ByteConn, context: ConnectionContext): Promise<void> {
  const { limits } = context;
  let buffered: Uint8Array = new Uint8Array(0);
  let first = true;
  try {
    while (!context.closing()) {
      // Until its headers end: the header deadline for a new connection, the idle one after.
      const deadline = setTimeout(
        () => closeQuietly(conn),
        first ? limits.headerTimeoutMs : limits.idleTimeoutMs,
      );
      let head: { text: string; rest: Uint8Array } | "too large" | undefined;
      try {
        head = await readHead(conn, { buffered, maxBytes: limits.maxHeaderBytes });
      } finally {
        clearTimeout(deadline);
      }
      if (head === undefined) return;
      if (head === "too large") {
        await writeWithin(conn, {
          bytes: plain(431, "request headers too large"),
          timeoutMs: limits.writeTimeoutMs,
        });
        return;
      }
      first = false;
      buffered = head.rest;
      const request = parseRequest(head.text, context.base);
      context.state.busy = true;
      let response: Response;
      if (request === undefined) response = plainResponse(400, "bad request");
      else {
        try {
          response = await context.handler(request.request);
        } catch (error) {
          response = context.onError?.(error) ?? plainResponse(500, "internal error");
        }
      }
      // A request with a body (never sent to this exporter by a scraper) ends its connection:
      // the body is not read.
      const keepAlive = request !== undefined && request.keepAlive && !request.hasBody &&
        !context.closing();
      const written = await writeResponse(conn, {
        response,
        head: request?.request.method === "HEAD",
        keepAlive,
        timeoutMs: limits.writeTimeoutMs,
      });
      context.state.busy = false;
      if (!written || !keepAlive) return;
    }
  } catch {
    // the client went away, or a deadline closed the connection
  } finally {
    closeQuietly(conn);
  }
}

/** Reads until the end of the request headers; undefined when the connection ended first. */
async function readHead(
  conn: ByteConn,
  { buffered, maxBytes }: { buffered: Uint8Array; maxBytes: number },
): Promise<{ text: string; rest: Uint8Array } | "too large" | undefined> {
  let data = buffered;
  const chunk = new Uint8Array(4096);
  for (;;) {
    const end = indexOfHeadEnd(data);
    if (end >= 0) {
      return {
        text: new TextDecoder().decode(data.subarray(0, end)),
        rest: data.slice(end + HEAD_END.length),
      };
    }
    if (data.byteLength > maxBytes) return "too large";
    const read = await conn.read(chunk);
    if (read === null) return undefined;
    const grown = new Uint8Array(data.byteLength + read);
    grown.set(data);
    grown.set(chunk.subarray(0, read), data.byteLength);
    data = grown;
  }
}

function indexOfHeadEnd(data: Uint8Array): number {
  outer: for (let index = 0; index + HEAD_END.length <= data.byteLength; index++) {
    for (let offset = 0; offset < HEAD_END.length; offset++) {
      if (data[index + offset] !== HEAD_END[offset]) continue outer;
    }
    return index;
  }
  return -1;
}

/** The request line and headers as a Request, or undefined when they are not HTTP/1.x. */
function parseRequest(
  text: string,
  base: string,
): { request: Request; keepAlive: boolean; hasBody: boolean } | undefined {
  const [requestLine, ...headerLines] = text.split("\r\n");
  const match = /^([A-Z]+) (\/\S*) HTTP\/1\.([01])$/.exec(requestLine);
  if (!match) return undefined;
  const [, method, target, minor] = match;
  const headers = new Headers();
  try {
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      if (colon <= 0) return undefined;
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    const connection = headers.get("connection")?.toLowerCase() ?? "";
    const keepAlive = minor === "1"
      ? !connection.includes("close")
      : connection.includes("keep-alive");
    const hasBody = headers.has("transfer-encoding") ||
      Number(headers.get("content-length") ?? "0") > 0;
    return { request: new Request(new URL(target, base), { method, headers }), keepAlive, hasBody };
  } catch {
    return undefined;
  }
}

/** Writes the status, headers and body (chunked); false when a write failed or timed out. */
async function writeResponse(
  conn: ByteConn,
  { response, head, keepAlive, timeoutMs }: {
    response: Response;
    head: boolean;
    keepAlive: boolean;
    timeoutMs: number;
  },
): Promise<boolean> {
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText || "-"}`];
  const chunked = response.body !== null && !response.headers.has("content-length");
  for (const [name, value] of response.headers) lines.push(`${name}: ${value}`);
  if (response.body === null) lines.push("content-length: 0");
  else if (chunked) lines.push("transfer-encoding: chunked");
  lines.push(keepAlive ? "connection: keep-alive" : "connection: close");
  const headBytes = encoder.encode(`${lines.join("\r\n")}\r\n\r\n`);
  if (!await writeWithin(conn, { bytes: headBytes, timeoutMs })) {
    await response.body?.cancel().catch(() => {});
    return false;
  }
  if (response.body === null) return true;
  if (head) {
    await response.body.cancel().catch(() => {});
    return true;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.byteLength === 0) continue;
      const bytes = chunked ? framed(value) : value;
      if (!await writeWithin(conn, { bytes, timeoutMs })) return false;
    }
    return chunked
      ? await writeWithin(conn, { bytes: encoder.encode("0\r\n\r\n"), timeoutMs })
      : true;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function framed(chunk: Uint8Array): Uint8Array {
  const prefix = encoder.encode(`${chunk.byteLength.toString(16)}\r\n`);
  const out = new Uint8Array(prefix.byteLength + chunk.byteLength + 2);
  out.set(prefix);
  out.set(chunk, prefix.byteLength);
  out.set([13, 10], prefix.byteLength + chunk.byteLength);
  return out;
}

/** Writes all of `bytes`, closing the connection when the client takes longer than the limit. */
async function writeWithin(
  conn: ByteConn,
  { bytes, timeoutMs }: { bytes: Uint8Array; timeoutMs: number },
): Promise<boolean> {
  const timer = setTimeout(() => closeQuietly(conn), timeoutMs);
  try {
    let written = 0;
    while (written < bytes.byteLength) written += await conn.write(bytes.subarray(written));
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Past the connection limit: a 503 and the connection closed. */
async function refuse(conn: ByteConn, timeoutMs: number): Promise<void> {
  await writeWithin(conn, {
    bytes: encoder.encode(
      "HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: 0\r\n" +
        "connection: close\r\n\r\n",
    ),
    timeoutMs: Math.min(timeoutMs, 1_000),
  });
  closeQuietly(conn);
}

function plainResponse(status: number, text: string): Response {
  return new Response(`${text}\n`, { status, headers: { "content-type": "text/plain" } });
}

function plain(status: number, text: string): Uint8Array {
  const body = `${text}\n`;
  return encoder.encode(
    `HTTP/1.1 ${status} -\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function closeQuietly(conn: ByteConn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
