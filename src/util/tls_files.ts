/** Reads the PEM files of a TLS client setting, shared by the Kafka, Redis and remote-write clients. */

/** Paths of a TLS client setting (any may be absent). */
export interface TlsFilePaths {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** The PEM text of each file that is set. */
export interface TlsFileContents {
  ca?: string;
  cert?: string;
  key?: string;
}

/** Reads each set file with `readTextFile` (injected: tests and the binary read differently). */
export function readTlsFiles(
  paths: TlsFilePaths,
  readTextFile: (path: string) => string,
): TlsFileContents {
  return {
    ca: paths.caFile ? readTextFile(paths.caFile) : undefined,
    cert: paths.certFile ? readTextFile(paths.certFile) : undefined,
    key: paths.keyFile ? readTextFile(paths.keyFile) : undefined,
  };
}
