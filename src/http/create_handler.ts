/** HTTP routes of the exporter: /metrics, the seed's health path, /livez and /readyz. */
import type { HealthReport } from "./health.ts";

/** What the routes read. */
export interface HandlerDeps {
  renderMetrics(): Promise<BodyInit>;
  health(): HealthReport;
  /** True while the collection loop runs. */
  live(): boolean;
}

/** Which routes this listener serves (both when the two ports are equal). */
export interface HandlerOptions {
  serveMetrics: boolean;
  serveHealth: boolean;
  healthPath: string;
}

const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

/** Builds a fetch-style handler; testable by calling it with a Request, no port needed. */
export function createHandler(
  deps: HandlerDeps,
  options: HandlerOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const { pathname } = new URL(request.url);
    const route = resolveRoute(pathname, options);
    if (!route) return text(404, "not found\n");
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    switch (route) {
      case "metrics":
        return new Response(await deps.renderMetrics(), {
          headers: { "content-type": PROMETHEUS_TEXT },
        });
      case "health":
        // Always 200, as in kafka-lag-go: the body says whether it is healthy.
        return Response.json(deps.health());
      case "live":
        return deps.live() ? text(200, "ok\n") : text(503, "collection loop not running\n");
      case "ready": {
        const report = deps.health();
        return Response.json(report, { status: report.status === "OK" ? 200 : 503 });
      }
    }
  };
}

function resolveRoute(
  pathname: string,
  options: HandlerOptions,
): "metrics" | "health" | "live" | "ready" | undefined {
  if (options.serveMetrics && pathname === "/metrics") return "metrics";
  if (!options.serveHealth) return undefined;
  if (pathname === options.healthPath) return "health";
  if (pathname === "/livez") return "live";
  if (pathname === "/readyz") return "ready";
  return undefined;
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
