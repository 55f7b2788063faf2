/**
 * What one cluster's groups were last seen as, so that a group coordinator moving (a broker
 * restarting, down or hanging) does not make their series vanish:
 * - when each group was last listed: the old coordinator no longer lists a moving group and the
 *   new one has not loaded it yet, although it still has committed offsets. Groups listed within
 *   GROUP_CARRY_OVER_MS are measured even when an iteration's listing lacks them (at their new
 *   coordinator; a group really deleted answers with no offsets and has no series);
 * - the committed offsets of the last iteration: while a group's coordinator cannot answer
 *   (moving, loading, down, hung), no consumer can commit either, so the offsets last read are
 *   still the group's offsets. They are used, for up to GROUP_CARRY_OVER_MS, with this
 *   iteration's end offsets; the group is reported as carried over.
 */
import type { CommittedOffset } from "../kafka/kafka_admin.ts";
import type { GroupReport } from "../lag/group_report.ts";

/** How long a group missing from the listing, or whose offsets cannot be read, is still measured. */
export const GROUP_CARRY_OVER_MS = 5 * 60_000;

/** The groups of one cluster as last seen. */
export class LastSeenGroups {
  readonly #lastListedMs = new Map<string, number>();
  /** The groups of the last completed iteration (the snapshot's own objects: no copy). */
  #lastGroups: readonly GroupReport[] = [];
  /** Groups measured with carried-over offsets, since when. */
  readonly #carriedSinceMs = new Map<string, number>();

  /**
   * Records this iteration's listing and returns it with the groups listed recently but missing
   * from it (those older than GROUP_CARRY_OVER_MS are forgotten).
   */
  withRecentlyListed(listed: readonly string[], nowMs: number): string[] {
    for (const groupId of listed) this.#lastListedMs.set(groupId, nowMs);
    const groups = new Set(listed);
    for (const [groupId, listedAtMs] of this.#lastListedMs) {
      if (nowMs - listedAtMs > GROUP_CARRY_OVER_MS) this.#lastListedMs.delete(groupId);
      else groups.add(groupId);
    }
    return [...groups];
  }

  /**
   * The last committed offsets of groups whose offsets could not be read now, for those measured
   * in the last iteration and carried over for less than GROUP_CARRY_OVER_MS; with since when.
   */
  carryOver(
    unread: readonly string[],
    nowMs: number,
  ): Map<string, { offsets: CommittedOffset[]; sinceMs: number }> {
    const carried = new Map<string, { offsets: CommittedOffset[]; sinceMs: number }>();
    if (unread.length === 0) {
      this.#carriedSinceMs.clear();
      return carried;
    }
    const wanted = new Set(unread);
    for (const groupId of this.#carriedSinceMs.keys()) {
      if (!wanted.has(groupId)) this.#carriedSinceMs.delete(groupId);
    }
    for (const group of this.#lastGroups) {
      if (!wanted.has(group.groupId)) continue;
      const sinceMs = this.#carriedSinceMs.get(group.groupId) ?? nowMs;
      if (nowMs - sinceMs > GROUP_CARRY_OVER_MS) continue;
      this.#carriedSinceMs.set(group.groupId, sinceMs);
      carried.set(group.groupId, {
        sinceMs,
        offsets: group.partitions.toArray().map(({ topic, partition, committedOffset }) => ({
          topic,
          partition,
          offset: committedOffset,
        })),
      });
    }
    return carried;
  }

  /** Remembers a completed iteration's groups, for carrying their offsets over. */
  rememberGroups(groups: readonly GroupReport[]): void {
    this.#lastGroups = groups;
  }
}
