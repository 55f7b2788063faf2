/**
 * The listeners under the HTTP/1.1 server: plain TCP, TLS, and TLS that asks clients for
 * certificates. Deno.listenTls cannot ask (it has no client CA option); node:tls in Deno can: its
 * server hands rustls the client CAs and reports whether the peer's certificate chained to them.
 * Its connections are offered to the server as the same read/write/close stream a Deno.Conn is,
 * once the client-certificate policy let them in; a handshake that does not finish in time is cut.
 */
import * as tls from "node:tls";
import type { Socket } from "node:net";
import { parseSubjectAltNames, refusedClientCertificate } from "./client_certificates.ts";
import type { WebTls } from "./web_config.ts";

/** The byte stream of one connection, as the HTTP/1.1 server reads and writes it. */
export interface ByteConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
}

/** Accepted connections until closed. */
export interface ConnListener extends AsyncIterable<ByteConn> {
  readonly addr: Deno.NetAddr;
  close(): void;
}

/** Where to listen, with what, and how long a handshake may take. */
export interface ClientCertListenOptions {
  hostname: string;
  port: number;
  tls: WebTls & { clientAuth: NonNullable<WebTls["clientAuth"]> };
  handshakeTimeoutMs: number;
  /** Told why a client's certificate was refused (its connection is closed). */
  onRefused?(reason: string): void;
  onConnection?(): void;
}

/** Where to listen and with what TLS settings. */
export interface ListenOptions {
  hostname: string;
  port: number;
  tls?: WebTls;
  /** How long a TLS handshake with client certificates may take. */
  handshakeTimeoutMs: number;
  onRefusedClient?(reason: string): void;
  /** Told of each new TCP connection, before its handshake. */
  onConnection?(): void;
}

/** Plain TCP, TLS, or TLS with client certificates; AddrInUse when the port is taken. */
export async function openListener(options: ListenOptions): Promise<ConnListener> {
  const { hostname, port, tls } = options;
  if (tls?.clientAuth !== undefined) {
    return await listenWithClientCertificates({
      hostname,
      port,
      tls: { ...tls, clientAuth: tls.clientAuth },
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      onRefused: options.onRefusedClient,
      onConnection: options.onConnection,
    });
  }
  const listener = tls
    ? Deno.listenTls({ hostname, port, cert: tls.cert, key: tls.key })
    : Deno.listen({ hostname, port });
  return {
    addr: listener.addr,
    close: () => listener.close(),
    // A Deno TLS connection is accepted before its handshake, which its first read performs.
    [Symbol.asyncIterator]: async function* () {
      for await (const conn of listener) {
        options.onConnection?.();
        yield conn;
      }
    },
  };
}

/** Buffered bytes past which a connection stops reading from its socket until they are read. */
const READ_BUFFER_LIMIT = 64 * 1024;

/** Listens with client certificates; resolves once bound. */
function listenWithClientCertificates(
  options: ClientCertListenOptions,
): Promise<ConnListener> {
  const { clientAuth } = options.tls;
  const verifies = clientAuth.type === "VerifyClientCertIfGiven" ||
    clientAuth.type === "RequireAndVerifyClientCert";
  const server = tls.createServer({
    cert: options.tls.cert,
    key: options.tls.key,
    ...(clientAuth.ca ? { ca: clientAuth.ca } : {}),
    requestCert: true,
    // Only RequireAndVerifyClientCert fails the handshake itself; the other policies look at
    // the outcome afterwards (refusedClientCertificate).
    rejectUnauthorized: clientAuth.type === "RequireAndVerifyClientCert",
    handshakeTimeout: options.handshakeTimeoutMs,
    minVersion: "TLSv1.2",
  });
  const accepted = new AcceptQueue();
  server.on("connection", () => options.onConnection?.());
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    const peer = socket.getPeerCertificate();
    const presented = peer !== null && peer !== undefined && Object.keys(peer).length > 0;
    const refused = refusedClientCertificate(clientAuth, {
      presented,
      verified: presented && verifies && socket.authorized,
      subjectAltNames: parseSubjectAltNames(presented ? peer.subjectaltname : undefined),
    });
    if (refused !== undefined) {
      options.onRefused?.(refused);
      socket.destroy();
      return;
    }
    accepted.push(new SocketConn(socket));
  });
  // A failed handshake (untrusted certificate, no certificate, past handshakeTimeout) ends its
  // socket, and only it.
  server.on("tlsClientError", (_error: Error, socket: Socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    const failed = (error: Error & { code?: string }) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Deno.errors.AddrInUse(`${options.hostname}:${options.port}: ${error.message}`)
          : error,
      );
    };
    server.once("error", failed);
    server.listen(options.port, options.hostname, () => {
      server.off("error", failed);
      const address = server.address() as { address: string; port: number };
      resolve({
        addr: { transport: "tcp", hostname: address.address, port: address.port },
        close: () => {
          server.close();
          accepted.end();
        },
        [Symbol.asyncIterator]: () => accepted.iterator(),
      });
    });
  });
}

/** Connections accepted and not yet taken by the server's loop. */
class AcceptQueue {
  #waiting: ByteConn[] = [];
  #wake?: () => void;
  #ended = false;

  push(conn: ByteConn): void {
    if (this.#ended) return conn.close();
    this.#waiting.push(conn);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    for (const conn of this.#waiting.splice(0)) conn.close();
    this.#wake?.();
  }

  async *iterator(): AsyncGenerator<ByteConn> {
    for (;;) {
      const next = this.#waiting.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
  }
}

/** A node socket read and written as a Deno.Conn is. */
class SocketConn implements ByteConn {
  readonly #socket: tls.TLSSocket;
  #chunks: Uint8Array[] = [];
  #bufferedBytes = 0;
  #ended = false;
  #wake?: () => void;

  constructor(socket: tls.TLSSocket) {
    this.#socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#bufferedBytes += chunk.byteLength;
      if (this.#bufferedBytes > READ_BUFFER_LIMIT) socket.pause();
      this.#wake?.();
    });
    const end = () => {
      this.#ended = true;
      this.#wake?.();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#ended) return null;
      this.#socket.resume();
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
    const chunk = this.#chunks[0];
    const length = Math.min(buffer.byteLength, chunk.byteLength);
    buffer.set(chunk.subarray(0, length));
    if (length === chunk.byteLength) this.#chunks.shift();
    else this.#chunks[0] = chunk.subarray(length);
    this.#bufferedBytes -= length;
    return length;
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.#ended) return Promise.reject(new Deno.errors.BrokenPipe("connection closed"));
    return new Promise((resolve, reject) => {
      const onClose = () => reject(new Deno.errors.BrokenPipe("connection closed"));
      this.#socket.once("close", onClose);
      this.#socket.write(bytes, (error) => {
        this.#socket.off("close", onClose);
        if (error) reject(error);
        else resolve(bytes.byteLength);
      });
    });
  }

  close(): void {
    this.#ended = true;
    this.#socket.destroy();
    this.#wake?.();
  }
}
