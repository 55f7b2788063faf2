/**
 * Client certificates on a real process, with real clients: Prometheus scrapes with its client
 * certificate and basic auth; curl without a certificate, or with one from another CA, and a
 * client showing a trusted certificate without its key, are cut off in the handshake; client_allowed_sans and a changed policy take effect without a restart; a
 * client that never finishes its handshake is closed by the server.
 */
import bcrypt from "bcryptjs";
import { assert, assertEquals } from "../assert.ts";
import { makeCertificates } from "../harness/certs.ts";
import { curlStatus } from "../harness/curl.ts";
import { startExporter } from "../harness/exporter.ts";
import { eventually, freePort } from "../harness/processes.ts";
import { startPrometheus } from "../harness/prometheus.ts";

const PASSWORD = "client-cert-secret-57";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Shows `certFile` in the handshake but signs it with `keyFile`: "refused: ..." or "answered: ...". */
async function wrongKeyClient(
  address: string,
  { certFile, keyFile, caFile }: { certFile: string; keyFile: string; caFile: string },
): Promise<string> {
  const tool = `${ROOT}.cache/tools/tls_wrong_key_client`;
  const output = await new Deno.Command(tool, {
    args: [address, certFile, keyFile, caFile],
    stdin: "null",
  }).output().catch((error) => {
    throw new Error(`${tool} missing: run scripts/bootstrap_test_tools.sh`, { cause: error });
  });
  return new TextDecoder().decode(output.stdout).trim();
}

Deno.test("web config: client certificates required, verified and enforced for real clients", async () => {
  const certs = await makeCertificates();
  const webDir = await Deno.makeTempDir({ prefix: "kafka-lag-deno-mtls-" });
  try {
    const webConfig = `${webDir}/web.yml`;
    const writeWebConfig = (tls: string) =>
      Deno.writeTextFile(
        webConfig,
        `tls_server_config:\n  cert_file: ${certs.certFile}\n  key_file: ${certs.keyFile}\n` +
          `  client_ca_file: ${certs.caFile}\n${tls}` +
          `basic_auth_users:\n  prometheus: ${bcrypt.hashSync(PASSWORD, 8)}\n`,
      );
    await writeWebConfig("  client_auth_type: RequireAndVerifyClientCert\n");
    await using exporter = await startExporter({
      kafka_clusters: [{ name: "nowhere", brokers: [`127.0.0.1:${freePort()}`] }],
    }, {
      args: ["--web.config.file", webConfig],
      tlsCaFile: certs.caFile,
      tlsClient: { certFile: certs.certFile, keyFile: certs.keyFile },
    });
    const metricsUrl = exporter.metricsUrl;
    const ca = ["--cacert", certs.caFile];
    const auth = ["-u", `prometheus:${PASSWORD}`];
    const trusted = ["--cert", certs.certFile, "--key", certs.keyFile];
    const untrusted = ["--cert", certs.otherCertFile, "--key", certs.keyFile];

    assertEquals(await curlStatus(metricsUrl, [...ca, ...trusted, ...auth]), 200);
    assertEquals(await curlStatus(metricsUrl, [...ca, ...trusted]), 401, "basic auth still holds");
    assertEquals(await curlStatus(metricsUrl, [...ca, ...auth]), 0, "no client certificate");
    assertEquals(await curlStatus(metricsUrl, [...ca, ...untrusted, ...auth]), 0, "another CA");
    // The health port has the same listener settings: probes need the certificate too.
    assertEquals(await curlStatus(`${exporter.healthUrl}/livez`, ca), 0);
    assertEquals(await curlStatus(`${exporter.healthUrl}/livez`, [...ca, ...trusted]), 200);

    // Someone's trusted certificate without its key: the handshake's signature gives it away.
    const address = `127.0.0.1:${new URL(exporter.healthUrl).port}`;
    const shown = { certFile: certs.certFile, caFile: certs.caFile };
    const withItsKey = await wrongKeyClient(address, { ...shown, keyFile: certs.keyFile });
    assert(withItsKey.startsWith("answered: HTTP/1.1 200"), withItsKey);
    const withOtherKey = await wrongKeyClient(address, {
      ...shown,
      keyFile: `${certs.dir}/other-ca.key`,
    });
    assert(withOtherKey.startsWith("refused:"), withOtherKey);

    const port = new URL(metricsUrl).port;
    await using prometheus = await startPrometheus({
      scrapeTargets: [`127.0.0.1:${port}`],
      scrapeTls: { caFile: certs.caFile, certFile: certs.certFile, keyFile: certs.keyFile },
      scrapeBasicAuth: { username: "prometheus", password: PASSWORD },
    });
    await eventually("Prometheus scrapes with its client certificate", async () => {
      const up = await prometheus.query('up{job="kafka-lag-deno"}');
      return up[0]?.value[1] === "1" ? true : undefined;
    }, 30_000);

    // A handshake never started is cut at the header deadline (10 s), not kept for ever.
    const idle = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    const openedMs = Date.now();
    const closedAfterMs = await idle.read(new Uint8Array(1)).then(() => Date.now() - openedMs)
      .finally(() => idle.close());
    assert(closedAfterMs >= 9_000 && closedAfterMs < 13_000, `closed after ${closedAfterMs} ms`);

    // Only certificates naming an allowed SAN: ours names localhost and 127.0.0.1.
    await writeWebConfig(
      "  client_auth_type: RequireAndVerifyClientCert\n  client_allowed_sans: [someone.else]\n",
    );
    await eventually("a certificate without an allowed name is refused", async () => {
      await curlStatus(`${exporter.healthUrl}/livez`, [...ca, ...trusted]);
      return await curlStatus(metricsUrl, [...ca, ...trusted, ...auth]) === 0 ? true : undefined;
    }, 20_000);
    await writeWebConfig(
      "  client_auth_type: RequireAndVerifyClientCert\n  client_allowed_sans: [localhost]\n",
    );
    await eventually("a certificate naming an allowed SAN is let in", async () => {
      return await curlStatus(metricsUrl, [...ca, ...trusted, ...auth]) === 200 ? true : undefined;
    }, 20_000);

    // VerifyClientCertIfGiven: no certificate is fine, an untrusted one is not.
    await writeWebConfig("  client_auth_type: VerifyClientCertIfGiven\n");
    await eventually("VerifyClientCertIfGiven lets a client without a certificate in", async () => {
      await curlStatus(`${exporter.healthUrl}/livez`, [...ca, ...trusted]);
      return await curlStatus(metricsUrl, [...ca, ...auth]) === 200 ? true : undefined;
    }, 20_000);
    assertEquals(await curlStatus(metricsUrl, [...ca, ...untrusted, ...auth]), 0);
    assertEquals(await curlStatus(metricsUrl, [...ca, ...trusted, ...auth]), 200);
    // Here too a certificate is only trusted with its key (the handshake is not failed by the
    // CA check under this policy; the signature check still holds).
    const ifGiven = await wrongKeyClient(address, {
      ...shown,
      keyFile: `${certs.dir}/other-ca.key`,
    });
    assert(ifGiven.startsWith("refused:"), ifGiven);
    assert(!exporter.logs().includes(PASSWORD));
  } finally {
    await Deno.remove(webDir, { recursive: true });
    await Deno.remove(certs.dir, { recursive: true });
  }
});
