/**
 * A gateway in front of a push receiver that the test switches off and on: while failing it
 * answers every request with the given status (a receiver restarting, a collector overloaded),
 * otherwise it forwards the request as it came.
 */
import { freePort } from "./processes.ts";

/** A running gateway; disposing it stops it. */
export interface SwitchableGateway extends AsyncDisposable {
  /** Base URL (no path): requests keep their path when forwarded. */
  url: string;
  /** Fails every request with `status` from now on; `false` forwards again. */
  fail(status: number | false): void;
  /** Requests refused so far. */
  refused(): number;
}

/** Starts a gateway forwarding to `targetBase` (scheme, host and port). */
export function startSwitchableGateway(targetBase: string): SwitchableGateway {
  let failing: number | false = false;
  let refused = 0;
  const port = freePort();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    async (request) => {
      if (failing !== false) {
        refused++;
        await request.body?.cancel();
        return new Response("unavailable", { status: failing });
      }
      const { pathname, search } = new URL(request.url);
      return await fetch(`${targetBase}${pathname}${search}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
    },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    fail: (status) => failing = status,
    refused: () => refused,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
