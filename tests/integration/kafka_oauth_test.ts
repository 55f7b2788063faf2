/**
 * SASL/OAUTHBEARER on a real broker: Kafka's own OAuthBearerValidatorCallbackHandler validates the
 * exporter's tokens (client-credentials grant from a local OIDC provider) against the provider's
 * JWKS, over SASL_PLAINTEXT and SASL_SSL; tokens that expire during the run are replaced without
 * a failed iteration; a wrong client secret fails one cluster with one clear error; and no wrong
 * secret (SASL, OAuth, remote write) appears in any log line or API answer of a running exporter.
 */
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { makeCertificates } from "../harness/certs.ts";
import { runCli, startExporter, writeConfig } from "../harness/exporter.ts";
import { startKafka } from "../harness/kafka.ts";
import { commitOffsets, createTopic, produce } from "../harness/kafka_fixtures.ts";
import { startOidcProvider } from "../harness/oidc.ts";
import { eventually } from "../harness/processes.ts";
import { sampleValue } from "../harness/prom_text.ts";

const CLIENT_SECRET = "oauth-client-secret-5";
/** What Kafka's JWT validator logs for a token that is not a JWT (an MSK IAM token is a URL). */
const MALFORMED_JWT = "Malformed JWT provided; expected three sections";
const countOf = (text: string, part: string) => text.split(part).length - 1;
/** Short, so that tokens expire (and sessions end) several times during one test. */
const TOKEN_LIFETIME_SECONDS = 16;

Deno.test({
  name: "SASL/OAUTHBEARER against Kafka's own JWT validator",
  fn: async (t) => {
    await using oidc = await startOidcProvider({
      clients: { exporter: CLIENT_SECRET },
      lifetimeSeconds: TOKEN_LIFETIME_SECONDS,
      audience: "kafka",
    });
    const certs = await makeCertificates();
    await using broker = await startKafka({
      security: { certs, users: {}, oauth: { jwksUrl: oidc.jwksUrl, audience: "kafka" } },
    });
    await createTopic(broker.bootstrap, "tokens", 2);
    await produce(broker.bootstrap, "tokens", [10, 10]);
    await commitOffsets(broker.bootstrap, "oauth-group", "tokens", [4, 9]);
    const oauthCluster = (listener: string) => ({
      name: "oauth",
      brokers: [listener],
      client_request_timeout: "5s",
      metadata_fetch_timeout: "3s",
      sasl: {
        enabled: true,
        mechanism: "OAUTHBEARER",
        oauth: {
          token_endpoint_url: oidc.tokenUrl,
          client_id: "exporter",
          client_secret: "${OAUTH_SECRET}",
          scope: "kafka",
        },
      },
      ...(listener === broker.listeners.saslSsl
        ? { ssl: { enabled: true, ca_file: certs.caFile } }
        : {}),
    });
    /** --once over the given clusters; the client secret comes from the environment. */
    const once = async (clusters: object[], secret = CLIENT_SECRET) => {
      const path = await writeConfig({ kafka_clusters: clusters });
      const result = await runCli(["--once", "--format", "json", "-c", path], {
        env: { OAUTH_SECRET: secret },
      });
      await Deno.remove(path);
      return result;
    };
    const lagOf = (stdout: string, cluster: string) =>
      JSON.parse(stdout).clusters.find((entry: { name: string }) => entry.name === cluster)
        ?.groups.find((group: { group: string }) => group.group === "oauth-group")
        ?.partitions.map((partition: { lag: number }) => partition.lag);

    for (
      const [name, listener] of [
        ["SASL_PLAINTEXT", broker.listeners.saslPlaintext!],
        ["SASL_SSL", broker.listeners.saslSsl!],
      ]
    ) {
      await t.step(
        `${name}: lag measured with a token from the client-credentials grant`,
        async () => {
          const issuedBefore = oidc.issued();
          const result = await once([oauthCluster(listener)]);
          assertEquals(result.code, 0, result.stderr);
          assertEquals(lagOf(result.stdout, "oauth"), [6, 1]);
          assert(oidc.issued() > issuedBefore, "a token was fetched");
          assert(!(result.stdout + result.stderr).includes(CLIENT_SECRET));
        },
      );
    }

    await t.step(
      "tokens expiring during the run are replaced without a failed iteration",
      async () => {
        const config = oauthCluster(broker.listeners.saslPlaintext!);
        Deno.env.set("OAUTH_SECRET", CLIENT_SECRET);
        try {
          await using exporter = await startExporter({
            kafka_clusters: [config],
            app: { iteration_interval: "1s" },
          });
          const issuedAtStart = oidc.issued();
          // Three token lifetimes: every session the broker granted has ended at least twice.
          const runUntil = Date.now() + 3 * TOKEN_LIFETIME_SECONDS * 1_000;
          let scrapes = 0;
          let lastErrors = 0;
          const wrongLag: number[] = [];
          // eventually() retries on a thrown assertion, so what is seen is recorded and asserted after.
          await eventually(
            "three token lifetimes of iterations",
            async () => {
              const samples = await exporter.scrape();
              const lag = sampleValue(samples, "kafka_consumer_group_sum_lag_in_offsets", {
                group: "oauth-group",
              });
              if (lag !== undefined) {
                scrapes++;
                if (lag !== 7) wrongLag.push(lag);
              }
              lastErrors =
                sampleValue(samples, "kafka_lag_exporter_cluster_iteration_errors_total", {
                  clustername: "oauth",
                }) ?? 0;
              return Date.now() >= runUntil || undefined;
            },
            4 * TOKEN_LIFETIME_SECONDS * 1_000,
            1_000,
          );
          assertEquals(lastErrors, 0, `failed iterations:\n${exporter.logs()}`);
          assertEquals(wrongLag, []);
          assert(scrapes >= 2 * TOKEN_LIFETIME_SECONDS, `measured in ${scrapes} scrapes`);
          const refreshed = oidc.issued() - issuedAtStart;
          assert(refreshed >= 4, `${refreshed} tokens issued in three lifetimes`);
          assert(!exporter.logs().includes(CLIENT_SECRET));
        } finally {
          Deno.env.delete("OAUTH_SECRET");
        }
      },
    );

    await t.step(
      "a wrong client secret: one clear error, that cluster down, the other fine",
      async () => {
        const refusedBefore = oidc.refused();
        const result = await once([
          oauthCluster(broker.listeners.saslPlaintext!),
          { name: "plain", brokers: [broker.bootstrap] },
        ], "wrong-secret-11");
        // --once fails only when no cluster can be read.
        assertEquals(result.code, 0, result.stderr);
        assertEquals(
          result.stderr.trim().split("\n").filter((line) => line.includes("ERROR")).length,
          1,
        );
        const clusters = JSON.parse(result.stdout).clusters;
        const failed = clusters.find((entry: { name: string }) => entry.name === "oauth");
        assertEquals(failed.up, false);
        assertStringIncludes(failed.error, `OAuth token endpoint ${oidc.tokenUrl} answered 401`);
        assertStringIncludes(failed.error, "client exporter");
        assertEquals(lagOf(result.stdout, "plain"), [6, 1]);
        assert(oidc.refused() > refusedBefore);
        assert(!(result.stdout + result.stderr).includes("wrong-secret-11"));
      },
    );

    await t.step("the token endpoint over HTTPS, verified against its CA", async () => {
      await using secureOidc = await startOidcProvider({
        clients: { exporter: CLIENT_SECRET },
        lifetimeSeconds: 3_600,
        audience: "kafka",
        tls: {
          cert: await Deno.readTextFile(certs.certFile),
          key: await Deno.readTextFile(certs.keyFile),
        },
      });
      const cluster = (ca: string) => {
        const config = oauthCluster(broker.listeners.saslPlaintext!);
        return {
          ...config,
          sasl: {
            ...config.sasl,
            oauth: { ...config.sasl.oauth, token_endpoint_url: secureOidc.tokenUrl, ca_file: ca },
          },
        };
      };
      // The broker validates against the first provider's keys: only the endpoint is under test
      // here, so the token is expected to be fetched and then refused by the broker.
      const verified = await once([cluster(certs.caFile)]);
      assertEquals(secureOidc.issued(), 1, verified.stdout + verified.stderr);
      const wrongCa = await once([cluster(certs.otherCaFile)]);
      assertEquals(secureOidc.issued(), 1);
      const [failed] = JSON.parse(wrongCa.stdout).clusters;
      assertStringIncludes(failed.error, `OAuth token endpoint ${secureOidc.tokenUrl} unreachable`);
      assertStringIncludes(failed.error, "sasl.oauth.ca_file");
    });

    await t.step("a token file, re-read at every authentication", async () => {
      const tokenFile = await Deno.makeTempFile();
      try {
        await Deno.writeTextFile(tokenFile, `${await oidc.mint("exporter")}\n`);
        const result = await once([{
          name: "oauth",
          brokers: [broker.listeners.saslPlaintext],
          sasl: { enabled: true, mechanism: "OAUTHBEARER", oauth: { token_file: tokenFile } },
        }]);
        assertEquals(result.code, 0, result.stderr);
        assertEquals(lagOf(result.stdout, "oauth"), [6, 1]);
        await Deno.writeTextFile(tokenFile, "not-a-jwt\n");
        const refused = await once([{
          name: "oauth",
          brokers: [broker.listeners.saslPlaintext],
          sasl: { enabled: true, mechanism: "OAUTHBEARER", oauth: { token_file: tokenFile } },
        }]);
        const [cluster] = JSON.parse(refused.stdout).clusters;
        assertStringIncludes(cluster.error, "the broker refused the token");
      } finally {
        await Deno.remove(tokenFile);
      }
    });

    await t.step(
      "AWS_MSK_IAM: the signed token reaches the broker as an OAUTHBEARER token",
      async () => {
        // No MSK here: a broker validating JWTs receives the token, and refuses it as not a JWT.
        const malformedBefore = countOf(await Deno.readTextFile(broker.logFile), MALFORMED_JWT);
        const path = await writeConfig({
          kafka_clusters: [{
            name: "msk",
            brokers: [broker.listeners.saslSsl],
            client_request_timeout: "5s",
            metadata_fetch_timeout: "3s",
            ssl: { enabled: true, ca_file: certs.caFile },
            sasl: { enabled: true, mechanism: "AWS_MSK_IAM", aws: { region: "eu-west-1" } },
          }],
        });
        const result = await runCli(["--once", "--format", "json", "-c", path], {
          env: { AWS_ACCESS_KEY_ID: "AKIDMSKTEST", AWS_SECRET_ACCESS_KEY: "msk-test-secret-3" },
        });
        await Deno.remove(path);
        const [cluster] = JSON.parse(result.stdout).clusters;
        assertEquals(cluster.up, false);
        // The broker read the token as an OAUTHBEARER token, and refused it as not a JWT…
        assertStringIncludes(cluster.error, "SASL OAUTHBEARER authentication failed");
        assertStringIncludes(cluster.error, "the broker refused the token");
        const brokerLog = await Deno.readTextFile(broker.logFile);
        assert(
          countOf(brokerLog, MALFORMED_JWT) > malformedBefore,
          "the broker validated our token",
        );
        // …and that token is a presigned kafka-cluster:Connect URL (checked in detail by the unit
        // tests of msk_iam_token_provider.ts), signed with the environment's credentials.
        assert(!(result.stdout + result.stderr).includes("msk-test-secret-3"));
      },
    );
    await t.step(
      "wrong secrets everywhere: no secret in any log line, API answer or exposition",
      async () => {
        const secrets = [
          "wrong-sasl-secret-77",
          "wrong-oauth-secret-88",
          "rw-secret-99",
          "url-secret-66",
        ];
        const wrongOauth = oauthCluster(broker.listeners.saslPlaintext!);
        await using exporter = await startExporter({
          kafka_clusters: [
            {
              name: "sasl",
              brokers: [broker.listeners.saslPlaintext!],
              client_request_timeout: "5s",
              metadata_fetch_timeout: "3s",
              sasl: { enabled: true, mechanism: "PLAIN", user: "exporter", password: secrets[0] },
            },
            {
              ...wrongOauth,
              sasl: {
                ...wrongOauth.sasl,
                oauth: {
                  ...wrongOauth.sasl.oauth,
                  client_secret: secrets[1],
                  // Credentials inside the endpoint's URL are never shown either.
                  token_endpoint_url: oidc.tokenUrl.replace("://", `://idp-user:${secrets[3]}@`),
                },
              },
            },
          ],
          // Credentials in the URL of an endpoint that refuses connections: pushes fail and log.
          prometheus_remote_write: {
            enabled: true,
            url: `http://pusher:${secrets[2]}@127.0.0.1:1/api/v1/write`,
            timeout: "1s",
          },
          app: { iteration_interval: "1s", log_level: "debug" },
        });
        const base = exporter.metricsUrl.replace("/metrics", "/api/v1/clusters");
        const answers: string[] = [];
        await eventually("both clusters down with their errors", async () => {
          const clusters = await (await fetch(base)).json();
          const down = clusters.clusters.filter((cluster: { up: boolean; error: string | null }) =>
            cluster.up === false && cluster.error
          );
          return down.length === 2 && exporter.logs().includes("remote") ? true : undefined;
        }, 60_000);
        answers.push(await (await fetch(base)).text());
        for (const name of ["sasl", "oauth"]) {
          answers.push(await (await fetch(`${base}/${name}`)).text());
        }
        answers.push(await (await fetch(exporter.metricsUrl)).text());
        const everything = [exporter.logs(), ...answers].join("\n");
        // Both clusters' errors are there to be read (their text varies with timing).
        assertStringIncludes(answers[0], '"name":"sasl"');
        assertStringIncludes(answers[0], '"name":"oauth"');
        for (const secret of secrets) {
          assert(!everything.includes(secret), `${secret} leaked:\n${everything.slice(0, 4000)}`);
        }
      },
    );
    await Deno.remove(certs.dir, { recursive: true });
  },
});
