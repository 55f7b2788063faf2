/** Test certificates made with openssl for each run: a CA, and a server/client pair it signed. */

/** Paths of the PEM files. */
export interface TestCertificates {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** A second CA, for "wrong CA" tests. */
  otherCaFile: string;
  /** The same key and names as certFile, signed by the other CA (an untrusted client). */
  otherCertFile: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const output = await new Deno.Command("openssl", { args, cwd, stdin: "null" }).output();
  if (!output.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
}

/** Makes a fresh CA and a certificate for 127.0.0.1/localhost (usable as server and client). */
export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await Deno.makeTempDir({ prefix: "kafka-lag-deno-certs-" });
  const days = ["-days", "2"];
  for (const name of ["ca", "other-ca"]) {
    await openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      ...days,
      "-subj",
      `/CN=${name}`,
    ], dir);
  }
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n",
  );
  await openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "node.key",
    "-out",
    "node.csr",
    "-subj",
    "/CN=localhost",
  ], dir);
  for (const [ca, out] of [["ca", "node.pem"], ["other-ca", "other-node.pem"]]) {
    await openssl([
      "x509",
      "-req",
      "-in",
      "node.csr",
      "-CA",
      `${ca}.pem`,
      "-CAkey",
      `${ca}.key`,
      "-CAcreateserial",
      "-out",
      out,
      ...days,
      "-extfile",
      "ext.cnf",
    ], dir);
  }
  return {
    dir,
    caFile: `${dir}/ca.pem`,
    certFile: `${dir}/node.pem`,
    keyFile: `${dir}/node.key`,
    otherCaFile: `${dir}/other-ca.pem`,
    otherCertFile: `${dir}/other-node.pem`,
  };
}
