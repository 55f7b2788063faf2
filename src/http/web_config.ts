/**
 * The web configuration file of Prometheus' exporter-toolkit (`--web.config.file`), as
 * node_exporter and the official exporters read it: TLS for the listeners, bcrypt basic-auth
 * users, client certificates, extra response headers. What the TLS servers here cannot do is
 * refused with a clear message rather than ignored: choosing cipher suites or curves, or limiting
 * the listeners to one TLS version (they speak TLS 1.2 and 1.3).
 */
import { ConfigError, type ConfigIssue } from "../config/config_error.ts";

/** The parts of the file the exporter applies. */
export interface WebConfig {
  /** PEM files of the listeners' certificate and key (TLS off when absent). */
  tls?: WebTlsFiles;
  /** bcrypt hash per user name (basic auth off when empty). */
  basicAuthUsers: Record<string, string>;
  /** Added to every response. */
  headers: Record<string, string>;
}

/** exporter-toolkit's client_auth_type values (Go's tls.ClientAuthType names). */
export const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;
/** Which client certificates a listener asks for and accepts. */
export type ClientAuthType = typeof CLIENT_AUTH_TYPES[number];

/** The TLS part of the file: paths and the client-certificate policy. */
export interface WebTlsFiles {
  certFile: string;
  keyFile: string;
  /** Absent: no client certificate is asked for. */
  clientAuth?: { type: ClientAuthType; caFile?: string; allowedSans: string[] };
}

/** The TLS settings as read (the files' contents), for the listeners. */
export interface WebTls {
  cert: string;
  key: string;
  clientAuth?: { type: ClientAuthType; ca?: string; allowedSans: string[] };
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
  for (const key of ["cipher_suites", "curve_preferences"]) {
    const value = tls[key];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) {
      unsupported(key, "Deno's TLS servers do not let it be chosen");
    }
  }
  if (
    !["VersionTLS10", "VersionTLS11", "VersionTLS12", undefined].includes(tls.min_version as string)
  ) {
    unsupported("min_version", "Deno's TLS servers speak TLS 1.2 and 1.3 (minimum TLS 1.2)");
  }
  if (![`VersionTLS13`, undefined].includes(tls.max_version as string)) {
    unsupported("max_version", "Deno's TLS servers speak TLS 1.2 and 1.3 (maximum TLS 1.3)");
  }
  const certFile = text(tls.cert_file, { path: "tls_server_config.cert_file", issues });
  const keyFile = text(tls.key_file, { path: "tls_server_config.key_file", issues });
  const clientAuth = clientAuthOf(tls, issues);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    issues.push({
      path: "tls_server_config",
      message: "cert_file and key_file go together",
    });
  } else if (certFile !== undefined && keyFile !== undefined) {
    config.tls = { certFile, keyFile, ...(clientAuth ? { clientAuth } : {}) };
  } else if (clientAuth) {
    issues.push({ path: "tls_server_config", message: "client certificates need cert_file" });
  }

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

/** The client-certificate policy, checked as exporter-toolkit checks it. */
function clientAuthOf(
  tls: Record<string, unknown>,
  issues: ConfigIssue[],
): WebTlsFiles["clientAuth"] {
  const typePath = "tls_server_config.client_auth_type";
  const rawType = text(tls.client_auth_type, { path: typePath, issues }) ?? "NoClientCert";
  // Go's older name for RequireAnyClientCert, still accepted by exporter-toolkit.
  const type = rawType === "RequireClientCert" ? "RequireAnyClientCert" : rawType;
  if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(type)) {
    issues.push({ path: typePath, message: `expected one of ${CLIENT_AUTH_TYPES.join(", ")}` });
    return undefined;
  }
  const caFile = text(tls.client_ca_file, { path: "tls_server_config.client_ca_file", issues });
  const sansPath = "tls_server_config.client_allowed_sans";
  const allowedSans = textList(tls.client_allowed_sans, { path: sansPath, issues });
  const verifies = type === "VerifyClientCertIfGiven" || type === "RequireAndVerifyClientCert";
  if (type === "NoClientCert") {
    if (caFile !== undefined) {
      issues.push({
        path: "tls_server_config.client_ca_file",
        message: "given without a client_auth_type that asks for client certificates",
      });
    }
    if (allowedSans.length > 0) {
      issues.push({ path: sansPath, message: "needs client_auth_type RequireAndVerifyClientCert" });
    }
    return undefined;
  }
  if (verifies && caFile === undefined) {
    issues.push({
      path: "tls_server_config.client_ca_file",
      message: `required by client_auth_type ${type}`,
    });
  }
  if (allowedSans.length > 0 && type !== "RequireAndVerifyClientCert") {
    issues.push({ path: sansPath, message: "needs client_auth_type RequireAndVerifyClientCert" });
  }
  return { type: type as ClientAuthType, ...(caFile ? { caFile } : {}), allowedSans };
}

function textList(
  value: unknown,
  { path, issues }: { path: string; issues: ConfigIssue[] },
): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
  issues.push({ path, message: "expected a list of names" });
  return [];
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

/** The certificate, key and client CA files' contents. */
export async function readWebTls(
  tls: WebTlsFiles,
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
  const cert = await read(tls.certFile, "cert_file");
  const key = await read(tls.keyFile, "key_file");
  const clientAuth = tls.clientAuth;
  if (clientAuth === undefined) return { cert, key };
  const ca = clientAuth.caFile === undefined
    ? undefined
    : await read(clientAuth.caFile, "client_ca_file");
  return {
    cert,
    key,
    clientAuth: {
      type: clientAuth.type,
      ...(ca ? { ca } : {}),
      allowedSans: clientAuth.allowedSans,
    },
  };
}
