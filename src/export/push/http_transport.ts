/** The HTTP side of both push paths (remote write, OTLP): headers, auth, TLS and timeout. */
import { readTextCapped } from "../../util/read_capped.ts";
import { explainTlsFailure } from "../../util/tls_failure_hint.ts";
import { postUnverified } from "../../util/https_post.ts";
import type { ExporterConfig } from "../../config/load_config.ts";
import type { SendResult } from "./remote_writer.ts";
import { readTlsFiles } from "../../util/tls_files.ts";

/** Where and how a push path sends: URL, headers, auth, TLS, timeout, queue. */
export type PushEndpointSettings = ExporterConfig["otlp"] | ExporterConfig["remoteWrite"];

/** What the transport reads from outside, and the protocol it speaks. */
export interface TransportDeps {
  readTextFile(path: string): string;
  userAgent: string;
  /** Content-Type, Content-Encoding and version headers of the protocol. */
  protocolHeaders: Readonly<Record<string, string>>;
  /** The config block, for error messages ("prometheus_remote_write", "otlp"). */
  configPath: string;
}

/** The protocol headers of remote write 1.0 and 2.0. */
export function remoteWriteProtocolHeaders(protocol: "1.0" | "2.0"): Record<string, string> {
  return protocol === "2.0"
    ? {
      "Content-Encoding": "snappy",
      "Content-Type": "application/x-protobuf;proto=io.prometheus.write.v2.Request",
      "X-Prometheus-Remote-Write-Version": "2.0.0",
    }
    : {
      "Content-Encoding": "snappy",
      "Content-Type": "application/x-protobuf",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
    };
}

/** Headers of every request: the user's, then the protocol's, then auth. */
export function pushHeaders(
  settings: PushEndpointSettings,
  { userAgent, protocolHeaders }: Pick<TransportDeps, "userAgent" | "protocolHeaders">,
): Record<string, string> {
  const headers: Record<string, string> = {
    ...settings.headers,
    ...protocolHeaders,
    "User-Agent": userAgent,
  };
  if (settings.basicAuth) {
    const { username, password } = settings.basicAuth;
    headers.Authorization = `Basic ${
      btoa(String.fromCharCode(...new TextEncoder().encode(`${username}:${password}`)))
    }`;
  } else if (settings.bearerToken !== undefined) {
    headers.Authorization = `Bearer ${settings.bearerToken}`;
  }
  return headers;
}

/**
 * A `send` for PushQueue. TLS with verification uses fetch with a client that knows the CA and
 * client certificate; `insecure_skip_verify` needs node:https, as Deno's fetch always verifies.
 */
export function createPushTransport(
  settings: PushEndpointSettings,
  deps: TransportDeps,
): (body: Uint8Array<ArrayBuffer>) => Promise<SendResult> {
  const url = settings.url!;
  const headers = pushHeaders(settings, deps);
  const tls = settings.tls;
  const { ca, cert, key } = readTlsFiles(tls ?? {}, deps.readTextFile);

  if (tls?.insecureSkipVerify && url.startsWith("https:")) {
    return (body) =>
      postUnverified(url, { headers, body, timeoutMs: settings.timeoutMs, ca, cert, key });
  }

  const client = ca || cert || key
    ? Deno.createHttpClient({
      caCerts: ca ? [ca] : undefined,
      ...(cert && key ? { cert, key } : {}),
    })
    : undefined;
  return async (body) => {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      client,
      signal: AbortSignal.timeout(settings.timeoutMs),
    }).catch((error) => {
      throw explainTlsFailure(error, {
        tls,
        sslKey: `${deps.configPath}.tls_config`,
        caKey: "ca_cert_file",
      });
    });
    return { status: response.status, body: await readTextCapped(response) };
  };
}
