/** Lag in offsets of one partition. */

/**
 * Returns max(0, end offset − committed). The clamp is needed because the committed offset and the
 * end offset are read by two requests: a consumer can commit past the end offset we saw.
 */
export function computeOffsetLag(committedOffset: number, endOffset: number): number {
  return Math.max(0, endOffset - committedOffset);
}
