/**
 * Reads a YAML config file into the exporter's settings, as a pipeline: parse YAML → substitute
 * `${ENV}` → read kafka-lag-go's forms → validate (schema, cross-field rules) → read secret files
 * → map to settings. Every problem of a stage is reported at once, with its key path.
 */
import { cleartextCredentials } from "./cleartext_credentials.ts";
import { ConfigError, type ConfigIssue } from "./config_error.ts";
import { checkCrossFieldRules } from "./schema/cross_field_rules.ts";
import { interpolateTree } from "./interpolate_env.ts";
import { normalizeKafkaLagGoForms } from "./schema/kafka_lag_go_forms.ts";
import { parseYaml } from "./parse_yaml.ts";
import { type ConfigFile, configFileSchema } from "./schema/schema.ts";
import { describe, readSecrets } from "./secrets.ts";
import { type ExporterConfig, type ResolvedSecrets, toSettings } from "./schema/settings.ts";
import { zodIssues } from "./zod_issues.ts";

export type { ExporterConfig, KafkaClusterConfig, TlsSettings } from "./schema/settings.ts";

/** What the loader needs from the outside world. */
export interface LoadConfigDeps {
  readTextFile(path: string): Promise<string>;
  getEnv(name: string): string | undefined;
  hostname(): string;
}

/** The file validated, before mapping to settings: plain data, so it can cross a worker boundary. */
export interface ValidatedConfigFile {
  data: ConfigFile;
  secrets: ResolvedSecrets;
  /** Lines to log once at start (keys kafka-lag-go ignored, for instance). */
  warnings: string[];
}

/** Loads, validates and resolves the config file at `file`; throws ConfigError listing every problem. */
export async function loadConfig(file: string, deps: LoadConfigDeps): Promise<ExporterConfig> {
  const { data, secrets, warnings } = await validateConfigFile(file, deps);
  return toSettings(data, { file, secrets, hostname: deps.hostname(), warnings });
}

/** Every stage but the mapping to settings; throws ConfigError listing every problem. */
export async function validateConfigFile(
  file: string,
  deps: Omit<LoadConfigDeps, "hostname">,
): Promise<ValidatedConfigFile> {
  let text: string;
  try {
    text = await deps.readTextFile(file);
  } catch (error) {
    throw new ConfigError(file, [{
      path: "",
      message: `cannot read the file (${describe(error)})`,
    }], {
      cause: error,
    });
  }
  const issues: ConfigIssue[] = [];
  const failOnIssues = () => {
    if (issues.length > 0) throw new ConfigError(file, issues);
  };

  const interpolated = interpolateTree(parseYaml(file, text), { getEnv: deps.getEnv, issues });
  failOnIssues();
  const { tree, warnings } = normalizeKafkaLagGoForms(interpolated ?? {}, issues);
  failOnIssues();
  const parsed = configFileSchema.safeParse(tree, { reportInput: true });
  if (!parsed.success) throw new ConfigError(file, zodIssues(parsed.error));
  checkCrossFieldRules(parsed.data, issues);
  for (const cleartext of cleartextCredentials(parsed.data)) {
    if (parsed.data.app.cleartext_credentials === "error") {
      issues.push({
        ...cleartext,
        message: `${cleartext.message} (app.cleartext_credentials is error)`,
      });
    } else warnings.push(`${cleartext.path}: ${cleartext.message}`);
  }
  const secrets = await readSecrets(parsed.data, { readTextFile: deps.readTextFile, issues });
  failOnIssues();
  return { data: parsed.data, secrets, warnings };
}
