/** kafkajs client settings (timeouts, TLS, SASL, logging) from a cluster's configuration. */
import {
  type KafkaConfig,
  logLevel as KafkajsLogLevel,
  type Mechanism,
  type SASLOptions,
} from "kafkajs";
import type { KafkaClusterConfig, TlsSettings } from "../../config/load_config.ts";
import type { SaslSettings } from "../../config/schema/settings.ts";
import { OauthTokenProvider } from "../auth/oauth_token_provider.ts";
import { oauthBearerMechanism } from "./oauthbearer_authenticator.ts";
import { MskIamTokenProvider } from "../auth/msk_iam_token_provider.ts";
import type { Logger } from "../../log/logger.ts";
import { readTlsFiles } from "../../util/tls_files.ts";
import { seedBrokers } from "./broker_addresses.ts";

/** kafkajs client settings from our cluster config: timeouts, TLS, SASL, logging. */
/** What building the client options reads from outside. */
export interface ClientOptionDeps {
  logger: Logger;
  readTextFile(path: string): string;
}

/** The kafkajs options of one configured cluster (brokers, TLS, SASL, timeouts, logging). */
export function kafkaClientConfig(
  config: KafkaClusterConfig,
  deps: ClientOptionDeps,
): KafkaConfig {
  const logger = deps.logger.child({ cluster: config.name, source: "kafkajs" });
  const { brokers, socketFactory } = seedBrokers(config.brokers);
  return {
    clientId: "kafka-lag-deno",
    brokers,
    socketFactory,
    connectionTimeout: config.metadataTimeoutMs,
    authenticationTimeout: config.metadataTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    enforceRequestTimeout: true,
    // Few, quick retries: a failed iteration is retried by the next one anyway.
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
    ssl: config.tls ? tlsOptions(config.tls, deps.readTextFile) : undefined,
    sasl: config.sasl ? saslOptions(config.sasl) : undefined,
    logLevel: KafkajsLogLevel.WARN,
    // kafkajs logs every retry as an error; our collector logs each state change once, so its
    // messages are only worth seeing at debug level.
    logCreator: () => ({ namespace, log }) => {
      logger.debug(`${namespace}: ${log.message}`, {
        broker: log.broker,
        error: log.error,
      });
    },
  };
}

function saslOptions(sasl: SaslSettings): SASLOptions | Mechanism {
  switch (sasl.mechanism) {
    case "OAUTHBEARER": {
      // One provider per kafkajs client: a client made after a failure fetches a new token.
      const provider = new OauthTokenProvider(sasl.oauth, {
        now: Date.now,
        readTextFile: (path) => Deno.readTextFile(path),
      });
      return oauthBearerMechanism(() => provider.token());
    }
    case "AWS_MSK_IAM": {
      // MSK's IAM listeners take the signed token over SASL/OAUTHBEARER.
      const provider = new MskIamTokenProvider(sasl.aws, { now: Date.now });
      return oauthBearerMechanism(() => provider.token());
    }
    case "PLAIN":
      return { mechanism: "plain", username: sasl.username, password: sasl.password };
    case "SCRAM-SHA-256":
      return { mechanism: "scram-sha-256", username: sasl.username, password: sasl.password };
    case "SCRAM-SHA-512":
      return { mechanism: "scram-sha-512", username: sasl.username, password: sasl.password };
  }
}

function tlsOptions(tls: TlsSettings, readTextFile: (path: string) => string) {
  const { ca, cert, key } = readTlsFiles(tls, readTextFile);
  return { rejectUnauthorized: !tls.insecureSkipVerify, ca: ca ? [ca] : undefined, cert, key };
}
