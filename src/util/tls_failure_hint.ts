/**
 * kafka-lag-go turns `insecure_skip_verify` on whenever TLS is enabled; we verify. A config moved
 * over from it therefore fails on a certificate it never checked: say so, and what to set.
 */
import { describeError } from "../log/logger.ts";

/** Error texts of a failed certificate verification (Deno/rustls and Node/OpenSSL wordings). */
const VERIFICATION_FAILURE =
  /certificate|UnknownIssuer|NotValidForName|BadSignature|self[- ]signed|unable to verify|CERT_/i;

/**
 * `error` with the explanation appended when it is a certificate verification failure on a
 * connection that verifies; otherwise `error` unchanged. `sslKey` is the config key of the TLS
 * block, `caKey` its CA file key (remote write spells it `ca_cert_file`).
 */
export function explainTlsFailure(
  error: unknown,
  { tls, sslKey, caKey = "ca_file" }: {
    tls: { insecureSkipVerify: boolean } | undefined;
    sslKey: string;
    caKey?: string;
  },
): unknown {
  if (!tls || tls.insecureSkipVerify) return error;
  const message = describeError(error);
  if (!VERIFICATION_FAILURE.test(message)) return error;
  return new Error(
    `${message} (the server's TLS certificate could not be verified. kafka-lag-go skipped this ` +
      `check whenever TLS was enabled; kafka-lag-deno verifies: set ${sslKey}.${caKey} to the ` +
      `CA that signed the certificate, or ${sslKey}.insecure_skip_verify: true to accept any ` +
      `certificate as kafka-lag-go did)`,
    { cause: error },
  );
}
