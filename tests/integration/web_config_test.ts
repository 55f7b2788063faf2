/**
 * The web config on a real process, with real clients: Prometheus scrapes /metrics over TLS with
 * basic auth; curl without credentials or with a wrong password gets 401; the health probes stay
 * open (over TLS); a new certificate written into the same files is served without a restart.
 */
import bcrypt from "bcryptjs";
import { assert, assertEquals } from "../assert.ts";
import { makeCertificates } from "../harness/certs.ts";
import { curlStatus } from "../harness/curl.ts";
import { startExporter } from "../harness/exporter.ts";
import { eventually, freePort } from "../harness/processes.ts";
import { startPrometheus } from "../harness/prometheus.ts";

const PASSWORD = "scrape-secret-31";

Deno.test("web config: TLS and basic auth for real clients, certificates rotated live", async () => {
  const certs = await makeCertificates();
  const webDir = await Deno.makeTempDir({ prefix: "kafka-lag-deno-web-" });
  try {
    const certFile = `${webDir}/server.pem`;
    const keyFile = `${webDir}/server.key`;
    await Deno.copyFile(certs.certFile, certFile);
    await Deno.copyFile(certs.keyFile, keyFile);
    const webConfig = `${webDir}/web.yml`;
    await Deno.writeTextFile(
      webConfig,
      `tls_server_config:\n  cert_file: ${certFile}\n  key_file: ${keyFile}\n` +
        `http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n` +
        `basic_auth_users:\n  prometheus: ${bcrypt.hashSync(PASSWORD, 8)}\n`,
    );
    await using exporter = await startExporter({
      // No broker needed: /metrics answers with the cluster down.
      kafka_clusters: [{ name: "nowhere", brokers: [`127.0.0.1:${freePort()}`] }],
    }, { args: ["--web.config.file", webConfig], tlsCaFile: certs.caFile });
    const metricsUrl = exporter.metricsUrl;
    const ca = ["--cacert", certs.caFile];

    assertEquals(await curlStatus(metricsUrl, ca), 401);
    assertEquals(await curlStatus(metricsUrl, [...ca, "-u", "prometheus:wrong"]), 401);
    assertEquals(await curlStatus(metricsUrl, [...ca, "-u", `prometheus:${PASSWORD}`]), 200);
    assertEquals(await curlStatus(`${exporter.healthUrl}/livez`, ca), 200);
    // Plain HTTP on a TLS port is not served.
    assertEquals(await curlStatus(metricsUrl.replace("https:", "http:"), []), 0);

    const port = new URL(metricsUrl).port;
    await using prometheus = await startPrometheus({
      scrapeTargets: [`127.0.0.1:${port}`],
      scrapeTls: { caFile: certs.caFile },
      scrapeBasicAuth: { username: "prometheus", password: PASSWORD },
    });
    await eventually("Prometheus scrapes over TLS with basic auth", async () => {
      const up = await prometheus.query('up{job="kafka-lag-deno"}');
      const cluster = await prometheus.query("kafka_lag_exporter_cluster_up");
      return up[0]?.value[1] === "1" && cluster.length === 1 ? true : undefined;
    }, 30_000);

    // Rotation: a certificate from another CA written into the same files is served once the
    // listeners notice (any request), without restarting the exporter.
    const rotated = await makeCertificates();
    try {
      await Deno.copyFile(rotated.certFile, certFile);
      await Deno.copyFile(rotated.keyFile, keyFile);
      const newCa = ["--cacert", rotated.caFile];
      await eventually("the new certificate is served", async () => {
        // Requests with the old trust make the exporter look at its files again.
        await curlStatus(`${exporter.healthUrl}/livez`, ca);
        const status = await curlStatus(metricsUrl, [...newCa, "-u", `prometheus:${PASSWORD}`]);
        return status === 200 ? true : undefined;
      }, 20_000).catch((error) => {
        throw new Error(`${error.message}\n${exporter.logs()}`);
      });
      assertEquals(await curlStatus(metricsUrl, [...ca, "-u", `prometheus:${PASSWORD}`]), 0);
    } finally {
      await Deno.remove(rotated.dir, { recursive: true });
    }
    assert(!exporter.logs().includes(PASSWORD));
  } finally {
    await Deno.remove(webDir, { recursive: true });
    await Deno.remove(certs.dir, { recursive: true });
  }
});
