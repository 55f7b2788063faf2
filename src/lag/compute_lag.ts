/** Lag in offsets of one partition. */

/**
 * Returns max(0, latest − committed). The clamp is needed because the committed offset and the
 * end offset are read by two requests: a consumer can commit past the end offset we saw.
 */
export function computeOffsetLag(committedOffset: number, latestOffset: number): number {
  return Math.max(0, latestOffset - committedOffset);
}
