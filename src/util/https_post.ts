/**
 * One HTTPS POST that can skip certificate verification: Deno's fetch always verifies, so an
 * endpoint reached with `insecure_skip_verify` (remote write, an OAuth token endpoint) goes
 * through node:https instead.
 */
import { MAX_RESPONSE_BODY_BYTES } from "./read_capped.ts";
import https from "node:https";
import { Buffer } from "node:buffer";

/** A request for `postUnverified`. */
export interface UnverifiedPost {
  headers: Record<string, string>;
  body: Uint8Array;
  timeoutMs: number;
  /** Client certificate and key (PEM), when the server asks for one. */
  cert?: string;
  key?: string;
  /** A CA (PEM), only so node:tls does not load the system trust store (a permission we lack). */
  ca?: string;
}

/** POSTs `request` to `url` without verifying the server's certificate. */
export function postUnverified(
  url: string,
  request: UnverifiedPost,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = https.request(url, {
      method: "POST",
      headers: { ...request.headers, "Content-Length": String(request.body.length) },
      rejectUnauthorized: false,
      ca: request.ca ? [request.ca] : [],
      cert: request.cert,
      key: request.key,
      timeout: request.timeoutMs,
    }, (response) => {
      const chunks: Buffer[] = [];
      let received = 0;
      response.on("data", (chunk: Buffer) => {
        // Only the first MAX_RESPONSE_BODY_BYTES are kept; the rest is read and dropped.
        if (received < MAX_RESPONSE_BODY_BYTES) {
          chunks.push(chunk.subarray(0, MAX_RESPONSE_BODY_BYTES - received));
        }
        received += chunk.byteLength;
      });
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf8"),
        }));
      response.on("error", reject);
    });
    outgoing.on(
      "timeout",
      () => outgoing.destroy(new Error(`timed out after ${request.timeoutMs} ms`)),
    );
    outgoing.on("error", reject);
    outgoing.end(Buffer.from(request.body));
  });
}
