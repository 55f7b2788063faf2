/** How close a group is to losing records to retention. */

/** Offsets of one group-partition and the partition's log start. */
export interface RetainedPosition {
  committedOffset: number;
  endOffset: number;
  logStartOffset: number;
}

/**
 * The share of the partition's retained log the group has not read yet, written into
 * `share.ratio`: 0 when caught up, 1 when its next record is the oldest one kept or already deleted
 * (retention deletes unread records next); NaN for an empty log, where there is nothing to lose.
 * Written rather than returned: measuring calls it for every group-partition, and a fractional
 * number returned from a call is boxed, an allocation each.
 */
export function retentionRatioInto(
  { committedOffset, endOffset, logStartOffset }: RetainedPosition,
  share: { ratio: number },
): void {
  const retained = endOffset - logStartOffset;
  share.ratio = retained <= 0
    ? NaN
    : Math.min(1, Math.max(0, (endOffset - committedOffset) / retained));
}
