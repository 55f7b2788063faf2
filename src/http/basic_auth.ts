/**
 * HTTP basic auth against the web config's bcrypt hashes. An unknown user costs one bcrypt
 * comparison too (against a hash of the same cost), so a wrong user name answers as slowly as a
 * wrong password and user names cannot be probed by timing. A user and password that matched
 * are remembered (by a SHA-256 of both) so that a scrape every few seconds does not spend a
 * bcrypt comparison each time; failures are never remembered.
 */
import bcrypt from "bcryptjs";

/** Checks an Authorization header; true when it names a user and the right password. */
export type BasicAuthCheck = (authorization: string | null) => Promise<boolean>;

/** Successful checks remembered at most (a few scrapers, a few users). */
const MAX_REMEMBERED = 64;

/** The check for these users (user → bcrypt hash). */
export function createBasicAuth(users: Readonly<Record<string, string>>): BasicAuthCheck {
  const costs = Object.values(users).map((hash) => Number(hash.split("$")[2]));
  // A hash nobody's password matches, of the highest cost in use.
  const decoy = bcrypt.hashSync(crypto.randomUUID(), Math.max(4, ...costs));
  const remembered = new Set<string>();
  return async (authorization) => {
    const credentials = parseBasic(authorization);
    if (!credentials) return false;
    const key = await digest(`${credentials.user}\u0000${credentials.password}`);
    if (remembered.has(key)) return true;
    const hash = Object.hasOwn(users, credentials.user) ? users[credentials.user] : undefined;
    const matches = await bcrypt.compare(credentials.password, hash ?? decoy);
    if (!matches || hash === undefined) return false;
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
    remembered.add(key);
    return true;
  };
}

function parseBasic(header: string | null): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(
      Uint8Array.from(atob(match[1]), (char) => char.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function digest(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
