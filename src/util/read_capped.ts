/**
 * Response bodies from endpoints the exporter does not control (remote write, OAuth token
 * endpoints) are only read for a status line or a token: read at most a cap, then drop the rest.
 */

import { concatBytes } from "./concat_bytes.ts";

/** Bytes read from a remote-write or token endpoint's answer (a JWT is a few KiB). */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

/** The body as text, at most `maxBytes` of it; the rest of the stream is cancelled. */
export async function readTextCapped(
  response: Response,
  maxBytes = MAX_RESPONSE_BODY_BYTES,
): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const kept = value.subarray(0, maxBytes - total);
      chunks.push(kept);
      total += kept.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(concatBytes(chunks));
}
