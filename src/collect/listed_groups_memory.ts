/**
 * The groups of the last complete ListGroups round of a cluster. When a broker does not answer
 * ListGroups (restarting, down, hanging), the groups it coordinates would vanish from the listing
 * and their series with them, although their coordinator moves to another broker within seconds:
 * they are carried over from this memory for a bounded time and measured at their new coordinator.
 */

/** How long groups of an incomplete listing are carried over from the last complete one. */
export const GROUP_CARRY_OVER_MS = 5 * 60_000;

/** Remembers the last complete listing of one cluster. */
export class ListedGroupsMemory {
  #groupIds: readonly string[] = [];
  #listedAtMs = -Infinity;

  /** Called after a listing that every broker answered. */
  remember(groupIds: readonly string[], listedAtMs: number): void {
    this.#groupIds = groupIds;
    this.#listedAtMs = listedAtMs;
  }

  /** The remembered groups, if the listing is at most GROUP_CARRY_OVER_MS old. */
  recall(nowMs: number): readonly string[] {
    return nowMs - this.#listedAtMs <= GROUP_CARRY_OVER_MS ? this.#groupIds : [];
  }
}
