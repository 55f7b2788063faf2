/**
 * Rendezvous (highest random weight) hashing: every instance computes, from the same live set,
 * the same owner for each "cluster/group", and when an instance joins or leaves only the groups
 * that must move do (about 1/N of them).
 */
import { hash53 } from "../util/hash53.ts";

/** The owner of `key` among `nodes` (undefined when there is none). */
export function rendezvousOwner(key: string, nodes: readonly string[]): string | undefined {
  let owner: string | undefined;
  let best = -1;
  for (const node of nodes) {
    const weight = hash53(`${node}\u0000${key}`);
    // Ties (practically impossible) go to the smaller node id, so every instance agrees.
    if (weight > best || (weight === best && owner !== undefined && node < owner)) {
      best = weight;
      owner = node;
    }
  }
  return owner;
}

/** The key of a consumer group in the assignment. */
export function groupKey(clusterName: string, groupId: string): string {
  return `${clusterName}/${groupId}`;
}
