/**
 * The exporter's listeners: /metrics and the API on the metrics port, the health routes on the
 * health port (one server when both ports are equal), each on its own address, with the web
 * config's TLS, basic auth and headers. New certificate files in the web config restart the
 * listeners with them, so certificates rotate without a restart of the exporter.
 */
import type { ExporterConfig } from "../config/load_config.ts";
import type { ExporterState } from "../collect/exporter_state.ts";
import type { ExporterMetrics } from "../export/metrics_registry.ts";
import { createHandler, type HandlerDeps, limitInFlight } from "../http/create_handler.ts";
import { SharedExposition } from "../http/shared_exposition.ts";
import { type Http1Server, serveHttp1 } from "../http/http1_server.ts";
import { apiResponse } from "../http/api_v1.ts";
import { statusPageResponse } from "../http/status_page/status_page.ts";
import { evaluateHealth } from "../http/health.ts";
import type { WebTls } from "../http/web_config.ts";
import { WebConfigSource } from "../http/web_config_source.ts";
import { describeError, type Logger } from "../log/logger.ts";
import type { WorkSharing } from "../scale_out/work_sharing.ts";

/** Requests answered at once per listener; more get a quick 503 (scrapers retry). */
const MAX_REQUESTS_IN_FLIGHT = 32;
/** Binding attempts while restarted listeners wait for the old ones to free the ports. */
const RESTART_ATTEMPTS = 250;

/** What the listeners serve from. */
export interface HttpServersDeps {
  state: ExporterState;
  metrics: ExporterMetrics;
  sharing: WorkSharing;
  logger: Logger;
}

/** The running listeners. */
export class HttpServers {
  readonly #config: ExporterConfig;
  readonly #deps: HttpServersDeps;
  #handlerDeps!: HandlerDeps;
  #servers: Http1Server[] = [];
  #web?: WebConfigSource;

  private constructor(config: ExporterConfig, deps: HttpServersDeps) {
    this.#config = config;
    this.#deps = deps;
  }

  /**
   * Reads the web config (ConfigError when it is invalid) and starts listening; throws with both
   * ports named when one is taken.
   */
  static async start(config: ExporterConfig, deps: HttpServersDeps): Promise<HttpServers> {
    const servers = new HttpServers(config, deps);
    const file = config.metrics.webConfigFile;
    if (file !== undefined) {
      servers.#web = await WebConfigSource.open(file, {
        readTextFile: (path) => Deno.readTextFile(path),
        stamp: async (path) => {
          const info = await Deno.stat(path);
          return `${info.mtime?.getTime()}:${info.size}`;
        },
        now: Date.now,
        logger: deps.logger,
        onTlsChange: (tls) => servers.#restart(tls),
      });
    }
    const web = servers.#web;
    // One shared gzip rendering per snapshot and syntax.
    const shared = {
      text: new SharedExposition({
        render: (pool) => deps.metrics.render({ pool }),
        snapshotKey: () => deps.state.clusters(),
      }),
      openmetrics: new SharedExposition({
        render: (pool) => deps.metrics.render({ openMetrics: true, pool }),
        snapshotKey: () => deps.state.clusters(),
      }),
    };
    deps.state.onChange(() => {
      shared.text.forgetStale();
      shared.openmetrics.forgetStale();
    });
    servers.#handlerDeps = {
      renderMetrics: (format) => deps.metrics.render({ openMetrics: format === "openmetrics" }),
      metricsGzip: (format) => shared[format].stream(),
      health: () => evaluateHealth(deps.state.clusters(), deps.sharing.healthy()),
      live: () => deps.state.loopRunning(),
      api: config.metrics.apiEnabled
        ? (url: URL) =>
          apiResponse(url, {
            clusters: () => deps.state.clusters(),
            iterationIntervalSeconds: config.app.iterationIntervalMs / 1_000,
          })
        : undefined,
      statusPage: config.metrics.apiEnabled ? statusPageResponse : undefined,
      authorized: web ? (request) => web.authorized(request) : undefined,
      headers: web ? () => web.headers : undefined,
    };
    servers.#servers = await servers.#listenAll(web?.tls);
    return servers;
  }

  /** Lets in-flight requests finish and closes the listeners. */
  async shutdown(): Promise<void> {
    await Promise.all(this.#servers.map((server) => server.shutdown()));
  }

  /**
   * Closes the listeners to new connections (in-flight requests finish) and binds new ones with
   * the new certificate as soon as the ports are free: Deno cannot share a TLS port between two
   * listeners without an unstable flag, so a connection attempt in that moment is refused.
   */
  #restart(tls: WebTls | undefined): void {
    const old = this.#servers;
    const closed = Promise.all(old.map((server) => server.shutdown().catch(() => {})));
    void (async () => {
      for (let attempt = 0;; attempt++) {
        try {
          this.#servers = await this.#listenAll(tls);
          this.#deps.logger.info("listeners restarted with the web config's new certificate");
          return;
        } catch (error) {
          if (attempt >= RESTART_ATTEMPTS) {
            this.#deps.logger.error("cannot listen with the new certificate", {
              error: describeError(error),
            });
            return;
          }
          // The old listeners still hold the ports: try again in a moment.
          await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 20))]);
        }
      }
    })();
  }

  async #listenAll(tls: WebTls | undefined): Promise<Http1Server[]> {
    const config = this.#config;
    const metrics = { hostname: config.metrics.listenAddress, port: config.metrics.port };
    const health = { hostname: config.app.healthAddress, port: config.app.healthPort };
    try {
      if (config.metrics.port === config.app.healthPort) {
        return [await this.#listen(metrics, { serveMetrics: true, serveHealth: true, tls })];
      }
      const metricsServer = await this.#listen(metrics, {
        serveMetrics: true,
        serveHealth: false,
        tls,
      });
      try {
        return [
          metricsServer,
          await this.#listen(health, { serveMetrics: false, serveHealth: true, tls }),
        ];
      } catch (error) {
        await metricsServer.shutdown();
        throw error;
      }
    } catch (error) {
      if (error instanceof Deno.errors.AddrInUse) {
        throw new Error(
          `cannot listen: a port is already in use (metrics ${config.metrics.port}, health ${config.app.healthPort})`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  #listen(
    { hostname, port }: { hostname: string; port: number },
    { serveMetrics, serveHealth, tls }: {
      serveMetrics: boolean;
      serveHealth: boolean;
      tls: WebTls | undefined;
    },
  ): Promise<Http1Server> {
    const { logger } = this.#deps;
    const routes = createHandler(this.#handlerDeps, {
      serveMetrics,
      serveHealth,
      healthPath: this.#config.app.healthPath,
    });
    const web = this.#web;
    // Any request (probes too) notices a changed web config, as a new connection does in
    // exporter-toolkit; its answer already follows the new users and headers.
    const handler = limitInFlight(
      web
        ? async (request: Request) => {
          await web.refresh();
          return routes(request);
        }
        : routes,
      MAX_REQUESTS_IN_FLIGHT,
    );
    return serveHttp1({
      hostname,
      port,
      tls,
      onListen: ({ port }) =>
        logger.info("listening", {
          address: hostname,
          port,
          tls: tls !== undefined,
          client_certificates: tls?.clientAuth?.type ?? "NoClientCert",
          metrics: serveMetrics,
          health: serveHealth,
        }),
      onError: (error) => {
        logger.error("HTTP handler failed", { error: describeError(error) });
        return new Response("internal error\n", { status: 500 });
      },
      onRefusedClient: (reason) => logger.debug("connection refused", { reason }),
      // As exporter-toolkit does for each new connection: a client the current TLS settings
      // refuse must still be able to make the listeners look at a fixed web config.
      onConnection: web ? () => void web.refresh() : undefined,
    }, handler);
  }
}
