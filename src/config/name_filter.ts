/** Whitelist/blacklist matching for consumer groups and topics, with the seed's semantics. */

/** Compiled include/exclude patterns; an empty include list means "everything". */
export interface NameFilter {
  whitelist: RegExp[];
  blacklist: RegExp[];
}

/** Compiles the one-or-many pattern form of the config file. */
export function compileNameFilter(
  whitelist: string | string[] | undefined,
  blacklist: string | string[] | undefined,
): NameFilter {
  const compile = (patterns: string | string[] | undefined) =>
    (patterns === undefined ? [] : Array.isArray(patterns) ? patterns : [patterns])
      .map((pattern) => new RegExp(pattern));
  return { whitelist: compile(whitelist), blacklist: compile(blacklist) };
}

/**
 * True when `name` passes the filter. As in kafka-lag-go: when a whitelist is set only matching
 * names pass and the blacklist is ignored; patterns match anywhere in the name (unanchored).
 */
export function isIncluded(filter: NameFilter, name: string): boolean {
  if (filter.whitelist.length > 0) return filter.whitelist.some((pattern) => pattern.test(name));
  return !filter.blacklist.some((pattern) => pattern.test(name));
}
