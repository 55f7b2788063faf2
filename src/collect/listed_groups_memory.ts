/**
 * When each group was last listed on a cluster. While a group's coordinator moves (a broker
 * restarting, down or hanging), the group can be missing from ListGroups for an iteration or two —
 * the old coordinator no longer lists it, the new one has not loaded it yet — although it still
 * has committed offsets; its series would vanish. Groups listed within GROUP_CARRY_OVER_MS are
 * therefore measured even when this iteration's listing lacks them: at their new coordinator, and
 * a group that was really deleted answers with no offsets and has no series.
 */

/** How long after it was last listed a group is still measured. */
export const GROUP_CARRY_OVER_MS = 5 * 60_000;

/** The groups of one cluster and when each was last listed. */
export class ListedGroupsMemory {
  readonly #lastListedMs = new Map<string, number>();

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
}
