/**
 * A TCP relay on 127.0.0.1 that a test can cut and restore: cut closes its listener and every
 * connection through it (new connections are refused, as to a host that went away); restore
 * listens again on the same port. For "this instance cannot reach that cluster" tests.
 */

/** A running relay; dispose to close it. */
export interface TcpRelay extends AsyncDisposable {
  port: number;
  /** Closes the listener and every relayed connection. */
  cut(): void;
  /** Listens again on the same port. */
  restore(): void;
}

/** Relays connections on a free port (or `port`) to `target`. */
export function startTcpRelay(
  target: { hostname: string; port: number },
  options: { port?: number } = {},
): TcpRelay {
  const connections = new Set<Deno.Conn>();
  let listener: Deno.Listener | undefined;
  let port = options.port ?? 0;
  const close = (conn: Deno.Conn) => {
    connections.delete(conn);
    try {
      conn.close();
    } catch {
      // already closed
    }
  };
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable);
    } catch {
      // either side went away
    } finally {
      close(from);
      close(to);
    }
  };
  const listen = () => {
    const current = Deno.listen({ hostname: "127.0.0.1", port });
    listener = current;
    port = (current.addr as Deno.NetAddr).port;
    void (async () => {
      try {
        for await (const client of current) {
          connections.add(client);
          Deno.connect(target).then((upstream) => {
            connections.add(upstream);
            void pipe(client, upstream);
            void pipe(upstream, client);
          }, () => close(client));
        }
      } catch {
        // the listener was closed
      }
    })();
  };
  const cut = () => {
    try {
      listener?.close();
    } catch {
      // already closed
    }
    listener = undefined;
    for (const conn of [...connections]) close(conn);
  };
  listen();
  return {
    get port() {
      return port;
    },
    cut,
    restore: () => {
      if (!listener) listen();
    },
    [Symbol.asyncDispose]: () => {
      cut();
      return Promise.resolve();
    },
  };
}
