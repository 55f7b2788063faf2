/** Reads every secret of the validated file: inline, or from its `*_file` (trailing newline dropped). */
import type { ConfigIssue } from "./config_error.ts";
import type { ConfigFile } from "./schema/schema.ts";
import { TOKEN_MECHANISMS } from "./schema/cross_field_rules.ts";
import type { ResolvedSecrets } from "./schema/settings.ts";

/** Reads secret files; problems (both forms set, unreadable file) are added to `issues`. */
export async function readSecrets(
  data: ConfigFile,
  { readTextFile, issues }: {
    readTextFile: (path: string) => Promise<string>;
    issues: ConfigIssue[];
  },
): Promise<ResolvedSecrets> {
  const read = async (
    path: string,
    { inline, secretFile }: { inline: string | undefined; secretFile: string | undefined },
  ): Promise<string | undefined> => {
    const key = path.slice(path.lastIndexOf(".") + 1);
    if (inline !== undefined && secretFile !== undefined) {
      issues.push({ path, message: `set either ${key} or ${key}_file, not both` });
      return undefined;
    }
    if (secretFile === undefined) return inline;
    try {
      return (await readTextFile(secretFile)).replace(/\r?\n$/, "");
    } catch (error) {
      issues.push({
        path: `${path}_file`,
        message: `cannot read ${secretFile} (${describe(error)})`,
      });
      return undefined;
    }
  };

  const kafkaSaslPasswords: (string | undefined)[] = [];
  const kafkaOauthClientSecrets: (string | undefined)[] = [];
  for (const [index, cluster] of data.kafka_clusters.entries()) {
    const { sasl } = cluster;
    const usesPassword = sasl.enabled && !TOKEN_MECHANISMS.has(sasl.mechanism);
    const path = `kafka_clusters[${index}].sasl.password`;
    const password = usesPassword
      ? await read(path, { inline: sasl.password, secretFile: sasl.password_file })
      : undefined;
    if (
      usesPassword && password === undefined &&
      !issues.some((issue) => issue.path.startsWith(path))
    ) {
      issues.push({ path, message: "is required when sasl.enabled is true" });
    }
    kafkaSaslPasswords.push(password);
    kafkaOauthClientSecrets.push(
      sasl.enabled && sasl.mechanism === "OAUTHBEARER" && sasl.oauth
        ? await read(`kafka_clusters[${index}].sasl.oauth.client_secret`, {
          inline: sasl.oauth.client_secret,
          secretFile: sasl.oauth.client_secret_file,
        })
        : undefined,
    );
  }
  const remote = data.prometheus_remote_write;
  const redis = data.storage.redis;
  return {
    kafkaSaslPasswords,
    kafkaOauthClientSecrets,
    remoteWritePassword: remote.basic_auth
      ? await read("prometheus_remote_write.basic_auth.password", {
        inline: remote.basic_auth.password,
        secretFile: remote.basic_auth.password_file,
      })
      : undefined,
    remoteWriteBearerToken: await read("prometheus_remote_write.bearer_token", {
      inline: remote.bearer_token,
      secretFile: remote.bearer_token_file,
    }),
    otlpPassword: data.otlp.basic_auth
      ? await read("otlp.basic_auth.password", {
        inline: data.otlp.basic_auth.password,
        secretFile: data.otlp.basic_auth.password_file,
      })
      : undefined,
    otlpBearerToken: await read("otlp.bearer_token", {
      inline: data.otlp.bearer_token,
      secretFile: data.otlp.bearer_token_file,
    }),
    redisPassword: redis.auth.enabled
      ? await read("storage.redis.auth.password", {
        inline: redis.auth.password,
        secretFile: redis.auth.password_file,
      })
      : undefined,
  };
}

/** A file-system error in words a config author understands. */
export function describe(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
