/**
 * The web configuration file of Prometheus' exporter-toolkit (`--web.config.file`), as
 * node_exporter and the official exporters read it: TLS for the listeners, bcrypt basic-auth
 * users, extra response headers. What Deno's TLS server cannot do is refused with a clear
 * message rather than ignored: it cannot ask clients for certificates, choose cipher suites or
 * curves, or be limited to one TLS version (it speaks TLS 1.2 and 1.3).
 */
import { ConfigError, type ConfigIssue } from "../config/config_error.ts";

/** The parts of the file the exporter applies. */
export interface WebConfig {
  /** PEM files of the listeners' certificate and key (TLS off when absent). */
  tls?: { certFile: string; keyFile: string };
  /** bcrypt hash per user name (basic auth off when empty). */
  basicAuthUsers: Record<string, string>;
  /** Added to every response. */
  headers: Record<string, string>;
}

/** The TLS settings as read (the files' contents), for the listeners. */
export interface WebTls {
  cert: string;
  key: string;
}

const TLS_KEYS = new Set([
  "cert_file",
  "key_file",
  "client_auth_type",
  "client_ca_file",
  "client_allowed_sans",
  "min_version",
  "max_version",
  "cipher_suites",
  "prefer_server_cipher_suites",
  "curve_preferences",
]);
/** Headers exporter-toolkit lets a web config set (security headers only). */
const ALLOWED_HEADERS = new Set([
  "strict-transport-security",
  "x-content-type-options",
  "x-frame-options",
  "x-xss-protection",
  "content-security-policy",
]);
const BCRYPT_HASH = /^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$/;

/** Validates a parsed web config file; throws ConfigError naming every problem's key. */
export function toWebConfig(raw: unknown, file: string): WebConfig {
  const issues: ConfigIssue[] = [];
  const config: WebConfig = { basicAuthUsers: {}, headers: {} };
  const root = mapping(raw ?? {}, { path: "", issues });
  for (const key of Object.keys(root)) {
    if (!["tls_server_config", "http_server_config", "basic_auth_users"].includes(key)) {
      issues.push({ path: key, message: "unknown key" });
    }
  }
  const tls = mapping(root.tls_server_config ?? {}, { path: "tls_server_config", issues });
  for (const key of Object.keys(tls)) {
    if (!TLS_KEYS.has(key)) {
      issues.push({ path: `tls_server_config.${key}`, message: "unknown key" });
    }
  }
  const unsupported = (key: string, why: string) =>
    issues.push({ path: `tls_server_config.${key}`, message: `not supported: ${why}` });
  if (!["", "NoClientCert", undefined].includes(tls.client_auth_type as string | undefined)) {
    unsupported("client_auth_type", "Deno's TLS server cannot request client certificates");
  }
  for (
    const key of ["client_ca_file", "client_allowed_sans", "cipher_suites", "curve_preferences"]
  ) {
    const value = tls[key];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) {
      unsupported(key, "Deno's TLS server does not let it be chosen");
    }
  }
  if (
    !["VersionTLS10", "VersionTLS11", "VersionTLS12", undefined].includes(tls.min_version as string)
  ) {
    unsupported("min_version", "Deno's TLS server speaks TLS 1.2 and 1.3 (minimum TLS 1.2)");
  }
  if (![`VersionTLS13`, undefined].includes(tls.max_version as string)) {
    unsupported("max_version", "Deno's TLS server speaks TLS 1.2 and 1.3 (maximum TLS 1.3)");
  }
  const certFile = text(tls.cert_file, { path: "tls_server_config.cert_file", issues });
  const keyFile = text(tls.key_file, { path: "tls_server_config.key_file", issues });
  if ((certFile === undefined) !== (keyFile === undefined)) {
    issues.push({
      path: "tls_server_config",
      message: "cert_file and key_file go together",
    });
  } else if (certFile !== undefined && keyFile !== undefined) config.tls = { certFile, keyFile };

  const http = mapping(root.http_server_config ?? {}, { path: "http_server_config", issues });
  for (const key of Object.keys(http)) {
    if (key !== "headers" && key !== "http2") {
      issues.push({ path: `http_server_config.${key}`, message: "unknown key" });
    }
  }
  const headers = mapping(http.headers ?? {}, { path: "http_server_config.headers", issues });
  for (const [name, value] of Object.entries(headers)) {
    const path = `http_server_config.headers.${name}`;
    if (!ALLOWED_HEADERS.has(name.toLowerCase())) {
      issues.push({ path, message: `not allowed (one of ${[...ALLOWED_HEADERS].join(", ")})` });
    }
    const valueText = text(value, { path, issues });
    if (valueText !== undefined) config.headers[name] = valueText;
  }

  const users = mapping(root.basic_auth_users ?? {}, { path: "basic_auth_users", issues });
  for (const [user, hash] of Object.entries(users)) {
    // The hash is not echoed: a config error must not print a credential.
    if (typeof hash !== "string" || !BCRYPT_HASH.test(hash)) {
      issues.push({ path: `basic_auth_users.${user}`, message: "expected a bcrypt hash" });
    } else config.basicAuthUsers[user] = hash;
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
  return config;
}

function mapping(
  value: unknown,
  { path, issues }: { path: string; issues: ConfigIssue[] },
): Record<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  issues.push({ path, message: "expected a mapping" });
  return {};
}

function text(
  value: unknown,
  { path, issues }: { path: string; issues: ConfigIssue[] },
): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  issues.push({ path, message: "expected a string" });
  return undefined;
}

/** Reads and validates the file (YAML); throws ConfigError with the file and key. */
export async function loadWebConfig(
  file: string,
  { readTextFile }: { readTextFile(path: string): Promise<string> },
): Promise<WebConfig> {
  let source: string;
  try {
    source = await readTextFile(file);
  } catch (error) {
    throw new ConfigError(file, [{ path: "", message: `cannot read the file (${String(error)})` }]);
  }
  const { parse } = await import("yaml");
  let raw: unknown;
  try {
    raw = parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigError(file, [{ path: "", message: `not valid YAML: ${message}` }]);
  }
  const config = toWebConfig(raw, file);
  // Read the TLS files now: a wrong path is a start-up error, not a failed handshake later.
  if (config.tls) await readWebTls(config.tls, { file, readTextFile });
  return config;
}

/** The certificate and key files' contents. */
export async function readWebTls(
  tls: { certFile: string; keyFile: string },
  { file, readTextFile }: { file: string; readTextFile(path: string): Promise<string> },
): Promise<WebTls> {
  const read = async (path: string, key: string) => {
    try {
      return await readTextFile(path);
    } catch (error) {
      throw new ConfigError(file, [{
        path: `tls_server_config.${key}`,
        message: `cannot read ${path} (${error instanceof Error ? error.message : error})`,
      }]);
    }
  };
  return { cert: await read(tls.certFile, "cert_file"), key: await read(tls.keyFile, "key_file") };
}
