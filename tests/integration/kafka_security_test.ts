/**
 * TLS, SASL and ACLs on real secured brokers: every SASL mechanism over SASL_SSL (and SCRAM over
 * SASL_PLAINTEXT), mutual TLS, wrong credentials and CAs failing clearly, and a broker with the
 * StandardAuthorizer where exactly the ACLs of docs/ACLs.md suffice.
 */
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { makeCertificates } from "../harness/certs.ts";
import { runCli, startExporter, writeConfig } from "../harness/exporter.ts";
import { startKafka } from "../harness/kafka.ts";
import { commitOffsets, createTopic, produce } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { sampleValue } from "../harness/prom_text.ts";

const EXPORTER_PASSWORD = "exporter-secret-7";
const MINIMUM_ACLS = [
  ["--operation", "Describe", "--cluster"],
  ["--operation", "Describe", "--group", "*"],
  ["--operation", "Describe", "--topic", "*"],
];

/** Runs --once with one cluster and returns the parsed JSON report (or the failure). */
async function once(cluster: Record<string, unknown>, env: Record<string, string> = {}) {
  const path = await writeConfig({
    kafka_clusters: [{
      name: "secured",
      client_request_timeout: "5s",
      metadata_fetch_timeout: "3s",
      ...cluster,
    }],
  });
  const result = await runCli(["--once", "--format", "json", "-c", path], { env });
  await Deno.remove(path);
  return { ...result, report: result.code === 0 ? JSON.parse(result.stdout) : undefined };
}

const lagOf = (
  report: {
    clusters: Array<
      { groups: Array<{ group: string; partitions: Array<{ partition: number; lag: number }> }> }
    >;
  },
  group: string,
) =>
  report.clusters[0].groups.find((entry) => entry.group === group)?.partitions.map((partition) =>
    partition.lag
  );

Deno.test({
  name: "Kafka TLS, SASL and ACLs on real brokers",
  fn: async (t) => {
    const certs = await makeCertificates();
    const passwordFile = await Deno.makeTempFile();
    await Deno.writeTextFile(passwordFile, `${EXPORTER_PASSWORD}\n`);
    try {
      await using broker = await startKafka({
        security: { certs, users: { exporter: EXPORTER_PASSWORD } },
      });
      await createTopic(broker.bootstrap, "secure-topic", 2);
      await produce(broker.bootstrap, "secure-topic", [10, 10]);
      await commitOffsets(broker.bootstrap, "secure-group", "secure-topic", [4, 9]);
      const tls = { enabled: true, ca_file: certs.caFile };
      const sasl = (mechanism: string) => ({
        enabled: true,
        mechanism,
        user: "exporter",
        password: "${KAFKA_PASSWORD}",
      });

      for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]) {
        await t.step(`SASL_SSL with ${mechanism}, password from the environment`, async () => {
          const result = await once(
            { brokers: [broker.listeners.saslSsl], ssl: tls, sasl: sasl(mechanism) },
            { KAFKA_PASSWORD: EXPORTER_PASSWORD },
          );
          assertEquals(result.code, 0, result.stderr);
          assertEquals(lagOf(result.report, "secure-group"), [6, 1]);
        });
      }
      await t.step("SASL_PLAINTEXT with SCRAM-SHA-512, password from a file", async () => {
        const result = await once({
          brokers: [broker.listeners.saslPlaintext],
          sasl: {
            enabled: true,
            mechanism: "SCRAM-SHA-512",
            user: "exporter",
            password_file: passwordFile,
          },
        });
        assertEquals(result.code, 0, result.stderr);
        assertEquals(lagOf(result.report, "secure-group"), [6, 1]);
      });
      await t.step("mutual TLS with a client certificate", async () => {
        const result = await once({
          brokers: [broker.listeners.ssl],
          ssl: { ...tls, client_certificate_file: certs.certFile, client_key_file: certs.keyFile },
        });
        assertEquals(result.code, 0, result.stderr);
        assertEquals(lagOf(result.report, "secure-group"), [6, 1]);
      });
      await t.step("a wrong password fails with one clear line, without the secret", async () => {
        const result = await once(
          { brokers: [broker.listeners.saslSsl], ssl: tls, sasl: sasl("SCRAM-SHA-256") },
          { KAFKA_PASSWORD: "wrong-password-8" },
        );
        assertEquals(result.code, 1);
        const [cluster] = JSON.parse(result.stdout).clusters;
        assertEquals(cluster.up, false);
        assertStringIncludes(cluster.error, "authentication failed");
        assert(!(result.stdout + result.stderr).includes("wrong-password-8"));
      });
      await t.step(
        "a CA that did not sign the broker's certificate fails; verification can be turned off",
        async () => {
          const wrongCa = await once({
            brokers: [broker.listeners.ssl],
            ssl: {
              enabled: true,
              ca_file: certs.otherCaFile,
              client_certificate_file: certs.certFile,
              client_key_file: certs.keyFile,
            },
          });
          assertEquals(wrongCa.code, 1);
          assert(
            /certificate/i.test(wrongCa.stdout + wrongCa.stderr),
            wrongCa.stdout + wrongCa.stderr,
          );
          // A config moved from kafka-lag-go (which never verified) is told why and what to set.
          const [cluster] = JSON.parse(wrongCa.stdout).clusters;
          assertStringIncludes(cluster.error, "kafka-lag-go skipped this check");
          assertStringIncludes(cluster.error, "ssl.insecure_skip_verify: true");
          const unverified = await once({
            brokers: [broker.listeners.ssl],
            ssl: {
              enabled: true,
              ca_file: certs.otherCaFile,
              client_certificate_file: certs.certFile,
              client_key_file: certs.keyFile,
              insecure_skip_verify: true,
            },
          });
          assertEquals(unverified.code, 0, unverified.stderr);
        },
      );

      await using aclBroker = await startKafka({
        security: {
          certs,
          users: { exporter: EXPORTER_PASSWORD, stranger: "stranger-secret-9" },
          authorizer: true,
        },
      });
      await createTopic(aclBroker.bootstrap, "guarded", 2);
      await produce(aclBroker.bootstrap, "guarded", [10, 10]);
      await commitOffsets(aclBroker.bootstrap, "guarded-group", "guarded", [3, 10]);
      for (const acl of MINIMUM_ACLS) {
        // The tool moved from the core (Scala) module to tools in Kafka 4.
        const aclCommand = Number(aclBroker.version.split(".")[0]) >= 4
          ? "org.apache.kafka.tools.AclCommand"
          : "kafka.admin.AclCommand";
        const added = await aclBroker.runTool(aclCommand, [
          "--bootstrap-server",
          aclBroker.bootstrap,
          "--add",
          "--allow-principal",
          "User:exporter",
          ...acl,
        ]);
        assertEquals(added.code, 0, added.stderr);
      }
      const aclCluster = (user: string, password: string) => ({
        brokers: [aclBroker.listeners.saslPlaintext],
        sasl: { enabled: true, mechanism: "SCRAM-SHA-256", user, password },
      });

      await t.step("with exactly the minimum ACLs of docs/ACLs.md the exporter works", async () => {
        const result = await once(aclCluster("exporter", EXPORTER_PASSWORD));
        assertEquals(result.code, 0, result.stderr);
        assertEquals(lagOf(result.report, "guarded-group"), [7, 0]);
      });
      await t.step(
        "without them: one clear error, the cluster unhealthy, the other cluster unaffected",
        async () => {
          await using exporter = await startExporter({
            kafka_clusters: [
              { name: "guarded", ...aclCluster("stranger", "stranger-secret-9") },
              { name: "open", brokers: [broker.bootstrap] },
            ],
            app: { iteration_interval: "1s" },
          });
          const health = await eventually("guarded unhealthy", async () => {
            const body = await (await fetch(`${exporter.healthUrl}/healthz`)).json();
            // Wait for the healthy cluster's first iteration too, not only for the failure.
            return body.unhealthy_clusters.includes("guarded") && body.status === "OK"
              ? body
              : undefined;
          });
          assertEquals(health, { status: "OK", unhealthy_clusters: ["guarded"] });
          // Two more iterations of the open cluster: the guarded one stays down meanwhile.
          const openSuccess = async () =>
            sampleValue(
              await exporter.scrape(),
              "kafka_lag_exporter_cluster_last_success_timestamp_seconds",
              { clustername: "open" },
            ) ?? 0;
          const since = await openSuccess();
          await eventually(
            "two more iterations",
            async () => (await openSuccess()) >= since + 2 || undefined,
          );
          const samples = await exporter.scrape();
          assertEquals(
            sampleValue(samples, "kafka_lag_exporter_cluster_up", { clustername: "guarded" }),
            0,
          );
          assertEquals(
            sampleValue(samples, "kafka_lag_exporter_cluster_up", { clustername: "open" }),
            1,
          );
          assert(
            (sampleValue(samples, "kafka_lag_exporter_cluster_iteration_errors_total", {
              clustername: "guarded",
            }) ?? 0) >= 3,
          );
          const errors = exporter.logs().split("\n").filter((line) =>
            line.includes("cannot read the cluster") && line.includes("guarded")
          );
          assertEquals(errors.length, 1, exporter.logs());
          assertStringIncludes(errors[0], "Describe on the cluster (see docs/ACLs.md)");
          assert(!exporter.logs().includes("stranger-secret-9"));
        },
      );
    } finally {
      await Deno.remove(passwordFile);
      await Deno.remove(certs.dir, { recursive: true });
    }
  },
});
