/**
 * A real Prometheus 3 (built from the Go module proxy by scripts/bootstrap_test_tools.sh) with its
 * remote-write (1.0 and 2.0) and OTLP receivers on a free loopback port,
 * optionally with TLS and basic auth through its own web config file; and nginx as a reverse
 * proxy that demands a bearer token.
 */
import bcrypt from "bcryptjs";
import type { TestCertificates } from "./certs.ts";
import { freePort, killWhenParentDies, waitForPort } from "./processes.ts";

/** A running Prometheus. */
export interface PrometheusServer extends AsyncDisposable {
  /** Base URL (http or https). */
  url: string;
  port: number;
  /** Instant query; returns the result vector. */
  query(
    promql: string,
  ): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/** Web config options (Prometheus' --web.config.file). */
export interface PrometheusOptions {
  tls?: TestCertificates;
  basicAuth?: { username: string; password: string };
  /** host:port targets scraped every second (job "kafka-lag-deno"), besides remote write. */
  scrapeTargets?: string[];
  /** How the targets are scraped: over https with this CA, with these credentials. */
  scrapeTls?: { caFile: string; certFile?: string; keyFile?: string };
  scrapeBasicAuth?: { username: string; password: string };
}

const PROMETHEUS_VERSION = Deno.readTextFileSync(
  new URL("../tools/PROMETHEUS_VERSION", import.meta.url),
).trim();

/** The path of Prometheus 3's `prometheus` or `promtool`, as the test bootstrap built it. */
export function prometheusTool(tool: "prometheus" | "promtool"): string {
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`;
  const path = `${cache}/kafka-lag-deno/tools/prometheus-${PROMETHEUS_VERSION}/${tool}`;
  try {
    Deno.statSync(path);
  } catch {
    throw new Error(`${path} is missing: run scripts/bootstrap_test_tools.sh (it builds it)`);
  }
  return path;
}

function spawn(
  command: string,
  args: string[],
): { child: Deno.ChildProcess; stop: () => Promise<void> } {
  const child = new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "null" })
    .spawn();
  const stopWatchdog = killWhenParentDies(child.pid);
  return {
    child,
    stop: async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
      stopWatchdog();
    },
  };
}

/** Starts Prometheus and waits until it is ready. */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<PrometheusServer> {
  const dir = await Deno.makeTempDir({ prefix: "kafka-lag-deno-prometheus-" });
  const port = freePort();
  const scrapeConfig = options.scrapeTargets
    ? "scrape_configs:\n  - job_name: kafka-lag-deno\n    scrape_interval: 1s\n" +
      (options.scrapeTls
        ? `    scheme: https\n    tls_config:\n      ca_file: ${options.scrapeTls.caFile}\n` +
          (options.scrapeTls.certFile
            ? `      cert_file: ${options.scrapeTls.certFile}\n` +
              `      key_file: ${options.scrapeTls.keyFile}\n`
            : "")
        : "") +
      (options.scrapeBasicAuth
        ? `    basic_auth:\n      username: ${options.scrapeBasicAuth.username}\n` +
          `      password: ${JSON.stringify(options.scrapeBasicAuth.password)}\n`
        : "") +
      `    static_configs:\n      - targets: ${JSON.stringify(options.scrapeTargets)}\n`
    : "";
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    "global:\n  scrape_interval: 1h\n" + scrapeConfig,
  );
  const args = [
    `--config.file=${dir}/prometheus.yml`,
    `--storage.tsdb.path=${dir}/data`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--web.enable-remote-write-receiver",
    "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest",
    "--web.remote-write-receiver.accepted-protobuf-messages=io.prometheus.write.v2.Request",
    "--web.enable-otlp-receiver",
    "--log.level=warn",
  ];
  const webConfig: string[] = [];
  if (options.tls) {
    webConfig.push(
      "tls_server_config:",
      `  cert_file: ${options.tls.certFile}`,
      `  key_file: ${options.tls.keyFile}`,
    );
  }
  if (options.basicAuth) {
    webConfig.push(
      "basic_auth_users:",
      `  ${options.basicAuth.username}: ${bcrypt.hashSync(options.basicAuth.password, 8)}`,
    );
  }
  if (webConfig.length > 0) {
    await Deno.writeTextFile(`${dir}/web.yml`, webConfig.join("\n") + "\n");
    args.push(`--web.config.file=${dir}/web.yml`);
  }
  const process = spawn(prometheusTool("prometheus"), args);
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  const client = options.tls
    ? Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(options.tls.caFile)] })
    : undefined;
  const headers: Record<string, string> = options.basicAuth
    ? {
      Authorization: `Basic ${btoa(`${options.basicAuth.username}:${options.basicAuth.password}`)}`,
    }
    : {};
  const stop = async () => {
    await process.stop();
    client?.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await waitForPort(port, 30_000);
    const deadline = Date.now() + 30_000;
    while (true) {
      try {
        const response = await fetch(`${url}/-/ready`, { headers, client });
        await response.body?.cancel();
        if (response.ok) break;
      } catch {
        // not ready yet
      }
      if (Date.now() > deadline) throw new Error("Prometheus did not become ready");
      // sleep-ok: poll interval of a wait loop
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    port,
    query: async (promql) => {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, {
        headers,
        client,
      });
      const body = await response.json();
      if (body.status !== "success") {
        throw new Error(`query ${promql} failed: ${JSON.stringify(body)}`);
      }
      return body.data.result;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** nginx in front of `upstreamPort`, answering 401 unless the request carries `Bearer <token>`. */
export async function startBearerProxy(
  upstreamPort: number,
  token: string,
): Promise<AsyncDisposable & { url: string }> {
  const dir = await Deno.makeTempDir({ prefix: "kafka-lag-deno-nginx-" });
  await Deno.chmod(dir, 0o777);
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `# One process, no workers: killing it (or the watchdog killing it) leaves nothing behind.
master_process off;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events {}
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      if ($http_authorization != "Bearer ${token}") { return 401; }
      proxy_pass http://127.0.0.1:${upstreamPort};
    }
  }
}
`,
  );
  const process = spawn("nginx", ["-p", dir, "-c", `${dir}/nginx.conf`, "-g", "daemon off;"]);
  const stop = async () => {
    await process.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await waitForPort(port, 15_000);
  } catch (error) {
    const log = await Deno.readTextFile(`${dir}/error.log`).catch(() => "");
    await stop();
    throw new Error(`nginx did not start: ${log}`, { cause: error });
  }
  return { url: `http://127.0.0.1:${port}`, [Symbol.asyncDispose]: stop };
}
