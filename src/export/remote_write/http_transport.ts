/** The HTTP side of remote write: headers, auth, TLS and timeout. */
import { readTextCapped } from "../../util/read_capped.ts";
import { explainTlsFailure } from "../../util/tls_failure_hint.ts";
import { postUnverified } from "../../util/https_post.ts";
import type { ExporterConfig } from "../../config/load_config.ts";
import type { SendResult } from "./remote_writer.ts";
import { readTlsFiles } from "../../util/tls_files.ts";

/** What the transport reads from outside. */
export interface TransportDeps {
  readTextFile(path: string): string;
  userAgent: string;
}

/** Headers of every request: the protocol's, then the user's, then auth. */
export function remoteWriteHeaders(
  settings: ExporterConfig["remoteWrite"],
  userAgent: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    ...settings.headers,
    "Content-Encoding": "snappy",
    "Content-Type": "application/x-protobuf",
    "User-Agent": userAgent,
    "X-Prometheus-Remote-Write-Version": "0.1.0",
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
 * A `send` for RemoteWriter. TLS with verification uses fetch with a client that knows the CA and
 * client certificate; `insecure_skip_verify` needs node:https, as Deno's fetch always verifies.
 */
export function createRemoteWriteTransport(
  settings: ExporterConfig["remoteWrite"],
  deps: TransportDeps,
): (body: Uint8Array<ArrayBuffer>) => Promise<SendResult> {
  const url = settings.url!;
  const headers = remoteWriteHeaders(settings, deps.userAgent);
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
        sslKey: "prometheus_remote_write.tls_config",
        caKey: "ca_cert_file",
      });
    });
    return { status: response.status, body: await readTextCapped(response) };
  };
}
