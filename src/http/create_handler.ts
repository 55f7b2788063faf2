/**
 * HTTP routes of the exporter: /metrics, the JSON API (/api/v1/...) and the status page (/ui) on
 * the metrics port, the seed's health path, /livez and /readyz on the health port.
 */
import { GZIP_BEST_SPEED, gzipStream } from "../util/gzip_stream.ts";
import type { HealthReport } from "./health.ts";

/** What the routes read. */
export interface HandlerDeps {
  renderMetrics(
    format: ExpositionFormat,
  ): Promise<ReadableStream<Uint8Array<ArrayBuffer>> | string>;
  /** The gzip body for clients that accept it, shared between scrapes of one snapshot. */
  metricsGzip?(format: ExpositionFormat): ReadableStream<Uint8Array<ArrayBuffer>>;
  health(): HealthReport;
  /** True while the collection loop runs. */
  live(): boolean;
  /** The JSON API's answer, or undefined for a path outside it. */
  api?(url: URL): Response | undefined;
  /** The status page (/ui), served with the API and switched off with it. */
  statusPage?(): Response;
  /**
   * Whether a request may see /metrics and the API (basic auth of the web config); health
   * routes stay open for probes. Everything is open when absent.
   */
  authorized?(request: Request): Promise<boolean>;
  /** Headers added to every response (the web config's). */
  headers?(): Readonly<Record<string, string>>;
}

/** Which routes this listener serves (both when the two ports are equal). */
export interface HandlerOptions {
  serveMetrics: boolean;
  serveHealth: boolean;
  healthPath: string;
}

/** Prometheus text 0.0.4, or OpenMetrics 1.0 when the scraper prefers it. */
export type ExpositionFormat = "text" | "openmetrics";

const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  text: "text/plain; version=0.0.4; charset=utf-8",
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
};

/** Builds a fetch-style handler; testable by calling it with a Request, no port needed. */
export function createHandler(
  deps: HandlerDeps,
  options: HandlerOptions,
): (request: Request) => Promise<Response> {
  const route = routeRequest(deps, options);
  if (!deps.headers) return route;
  return async (request) => {
    const response = await route(request);
    for (const [name, value] of Object.entries(deps.headers!())) response.headers.set(name, value);
    return response;
  };
}

function routeRequest(
  deps: HandlerDeps,
  options: HandlerOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    const route = resolveRoute(url.pathname, {
      options,
      hasStatusPage: deps.statusPage !== undefined,
    });
    const isApi = options.serveMetrics && url.pathname.startsWith("/api/");
    if (!route && !isApi) return text(404, "not found\n");
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const protectedRoute = route === "metrics" || route === "ui" ||
      (!route && deps.api !== undefined);
    if (protectedRoute && deps.authorized && !(await deps.authorized(request))) {
      return new Response("Unauthorized\n", {
        status: 401,
        headers: {
          "content-type": "text/plain; charset=utf-8",
          "www-authenticate": 'Basic realm="kafka-lag-deno"',
        },
      });
    }
    if (!route) return deps.api?.(url) ?? text(404, "not found\n");
    switch (route) {
      case "ui":
        return deps.statusPage!();
      case "metrics": {
        const format = preferredFormat(request.headers.get("accept"));
        if (deps.metricsGzip && acceptsGzip(request.headers.get("accept-encoding"))) {
          return gzipResponse(deps.metricsGzip(format), format);
        }
        return metricsResponse(await deps.renderMetrics(format), { request, format });
      }
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

/**
 * The exposition, gzip-compressed as it streams when the client accepts it (Prometheus always
 * does): at 10,000 groups some 70 MB of text travel as a few MB, compressed piece by piece
 * rather than as a whole in memory.
 */
function metricsResponse(
  body: ReadableStream<Uint8Array<ArrayBuffer>> | string,
  { request, format }: { request: Request; format: ExpositionFormat },
): Response {
  if (!acceptsGzip(request.headers.get("accept-encoding"))) {
    return new Response(body, {
      headers: { "content-type": CONTENT_TYPES[format], vary: "accept, accept-encoding" },
    });
  }
  const stream = typeof body === "string" ? new Blob([body]).stream() : body;
  return gzipResponse(stream.pipeThrough(gzipStream(GZIP_BEST_SPEED)), format);
}

function gzipResponse(
  gzip: ReadableStream<Uint8Array<ArrayBuffer>>,
  format: ExpositionFormat,
): Response {
  return new Response(gzip, {
    headers: {
      "content-type": CONTENT_TYPES[format],
      "content-encoding": "gzip",
      vary: "accept, accept-encoding",
    },
  });
}

/**
 * OpenMetrics when the Accept header ranks it at least as high as Prometheus text (Prometheus 3
 * sends OpenMetrics 1.0.0 first), else Prometheus text: an old scraper or curl gets what it knew.
 */
export function preferredFormat(accept: string | null): ExpositionFormat {
  if (!accept) return "text";
  let openMetrics = 0;
  let text = 0;
  for (const entry of accept.split(",")) {
    const [mediaType, ...parameters] = entry.trim().toLowerCase().split(";").map((part) =>
      part.trim()
    );
    const qualityParameter = parameters.find((parameter) => parameter.startsWith("q="));
    const quality = qualityParameter === undefined ? 1 : Number(qualityParameter.slice(2)) || 0;
    const version = parameters.find((parameter) => parameter.startsWith("version="))?.slice(8);
    if (mediaType === "application/openmetrics-text" && (!version || version.startsWith("1."))) {
      openMetrics = Math.max(openMetrics, quality);
    } else if (mediaType === "text/plain" || mediaType === "*/*" || mediaType === "text/*") {
      text = Math.max(text, quality);
    }
  }
  return openMetrics > 0 && openMetrics >= text ? "openmetrics" : "text";
}

/** Whether an Accept-Encoding header allows gzip (`gzip`, `*`, not with q=0). */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  for (const entry of header.split(",")) {
    const [coding, ...parameters] = entry.trim().toLowerCase().split(";");
    if (coding.trim() !== "gzip" && coding.trim() !== "*") continue;
    const quality = parameters.map((parameter) => parameter.trim())
      .find((parameter) => parameter.startsWith("q="));
    if (quality === undefined || Number(quality.slice(2)) > 0) return true;
  }
  return false;
}

function resolveRoute(
  pathname: string,
  { options, hasStatusPage }: { options: HandlerOptions; hasStatusPage: boolean },
): "metrics" | "ui" | "health" | "live" | "ready" | undefined {
  if (options.serveMetrics && pathname === "/metrics") return "metrics";
  if (options.serveMetrics && hasStatusPage && (pathname === "/ui" || pathname === "/ui/")) {
    return "ui";
  }
  if (!options.serveHealth) return undefined;
  if (pathname === options.healthPath) return "health";
  if (pathname === "/livez") return "live";
  if (pathname === "/readyz") return "ready";
  return undefined;
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/**
 * At most `max` requests in flight (until their answer's headers are ready); more are answered 503
 * at once, so that a flood cannot queue work on the collector's thread.
 */
export function limitInFlight(
  handler: (request: Request) => Promise<Response>,
  max: number,
): (request: Request) => Promise<Response> {
  let inFlight = 0;
  return async (request) => {
    if (inFlight >= max) {
      return new Response("too many requests in flight\n", {
        status: 503,
        headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "1" },
      });
    }
    inFlight++;
    try {
      return await handler(request);
    } finally {
      inFlight--;
    }
  };
}
