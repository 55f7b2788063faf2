/** How close a group is to losing records to retention. */

/** Offsets of one group-partition and the partition's log start. */
export interface RetainedPosition {
  committedOffset: number;
  endOffset: number;
  logStartOffset: number;
}

/**
 * The share of the partition's retained log the group has not read yet: 0 when caught up, 1 when
 * its next record is the oldest one kept or already deleted (retention deletes unread records
 * next). Undefined for an empty log, where there is nothing to lose.
 */
export function retentionRatio(
  { committedOffset, endOffset, logStartOffset }: RetainedPosition,
): number | undefined {
  const retained = endOffset - logStartOffset;
  if (retained <= 0) return undefined;
  return Math.min(1, Math.max(0, (endOffset - committedOffset) / retained));
}
