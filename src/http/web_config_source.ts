/**
 * The web config as the listeners use it, read again when its file changes (checked at most once
 * a second, as requests arrive), as exporter-toolkit re-reads it for each new connection: users
 * and headers change without a restart, and new certificate files are handed to `onTlsChange`
 * (the listeners are restarted with them). A file that becomes invalid keeps the last good
 * config and is logged once.
 */
import type { Logger } from "../log/logger.ts";
import { describeError } from "../log/logger.ts";
import { type BasicAuthCheck, createBasicAuth } from "./basic_auth.ts";
import { loadWebConfig, readWebTls, type WebConfig, type WebTls } from "./web_config.ts";

/** What the source reads the file with. */
export interface WebConfigSourceDeps {
  readTextFile(path: string): Promise<string>;
  /** The file's modification time and size, to tell a change. */
  stamp(path: string): Promise<string>;
  now(): number;
  logger: Logger;
  /** Called with the new TLS settings (certificate, key, client CAs) when they change. */
  onTlsChange?(tls: WebTls | undefined): void;
}

const CHECK_INTERVAL_MS = 1_000;

/** The current web config of one file. */
export class WebConfigSource {
  readonly #file: string;
  readonly #deps: WebConfigSourceDeps;
  #config: WebConfig;
  #auth?: BasicAuthCheck;
  #tls?: WebTls;
  #stamp: string;
  #checkedAtMs: number;
  #lastError?: string;

  private constructor(
    file: string,
    deps: WebConfigSourceDeps,
    loaded: { config: WebConfig; tls?: WebTls; stamp: string },
  ) {
    this.#file = file;
    this.#deps = deps;
    this.#config = loaded.config;
    this.#tls = loaded.tls;
    this.#stamp = loaded.stamp;
    this.#checkedAtMs = deps.now();
    this.#auth = authFor(loaded.config);
  }

  /** Reads the file; throws ConfigError when it is not a valid web config. */
  static async open(file: string, deps: WebConfigSourceDeps): Promise<WebConfigSource> {
    const config = await loadWebConfig(file, deps);
    const stamp = await stampOf(file, { config, deps });
    const tls = config.tls ? await readWebTls(config.tls, { file, ...deps }) : undefined;
    return new WebConfigSource(file, deps, { config, tls, stamp });
  }

  /** The TLS certificate and key the listeners use (undefined: plain HTTP). */
  get tls(): WebTls | undefined {
    return this.#tls;
  }

  /** Extra headers for every response. */
  get headers(): Readonly<Record<string, string>> {
    return this.#config.headers;
  }

  /** Whether the request may see protected routes (always, when no user is configured). */
  async authorized(request: Request): Promise<boolean> {
    const auth = this.#auth;
    return auth === undefined || await auth(request.headers.get("authorization"));
  }

  /** Reads the file again if it changed (at most once a second); called for every request. */
  async refresh(): Promise<void> {
    const nowMs = this.#deps.now();
    if (nowMs - this.#checkedAtMs < CHECK_INTERVAL_MS) return;
    this.#checkedAtMs = nowMs;
    try {
      const stamp = await stampOf(this.#file, { config: this.#config, deps: this.#deps });
      if (stamp === this.#stamp) return;
      const config = await loadWebConfig(this.#file, this.#deps);
      const tls = config.tls
        ? await readWebTls(config.tls, { file: this.#file, ...this.#deps })
        : undefined;
      // Stamped again with the files the new config names.
      this.#stamp = await stampOf(this.#file, { config, deps: this.#deps });
      this.#config = config;
      this.#auth = authFor(config);
      this.#lastError = undefined;
      if (JSON.stringify(tls) !== JSON.stringify(this.#tls)) {
        this.#tls = tls;
        this.#deps.onTlsChange?.(tls);
      }
      this.#deps.logger.info("web config read again", { file: this.#file });
    } catch (error) {
      const message = describeError(error);
      if (message !== this.#lastError) {
        this.#deps.logger.error("web config not applied; the last valid one stays", {
          file: this.#file,
          error: message,
        });
      }
      this.#lastError = message;
    }
  }
}

/** The stamps of the file and of the certificate files it names: any of them may change. */
async function stampOf(
  file: string,
  { config, deps }: { config: WebConfig; deps: WebConfigSourceDeps },
): Promise<string> {
  const tls = config.tls;
  const files = tls
    ? [file, tls.certFile, tls.keyFile, ...(tls.clientAuth?.caFile ? [tls.clientAuth.caFile] : [])]
    : [file];
  return (await Promise.all(files.map((path) => deps.stamp(path)))).join(" ");
}

function authFor(config: WebConfig): BasicAuthCheck | undefined {
  return Object.keys(config.basicAuthUsers).length > 0
    ? createBasicAuth(config.basicAuthUsers)
    : undefined;
}
