/** Version and commit of this build; the release pipeline overwrites COMMIT at build time. */
export const VERSION = "0.1.0";
/** Git commit of the build, or "unknown" when built from a plain checkout. */
export const COMMIT = "unknown";
