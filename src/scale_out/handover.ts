/**
 * Which groups an instance exports, so that no group is ever exported by two instances at once.
 *
 * Each instance publishes, with its heartbeat, per Kafka cluster, the live sets ("views") under
 * which it may export groups: the one its current snapshot's groups were selected with and,
 * while an iteration runs, the one it selects the next snapshot with, announced before it reads
 * the others' (write, then read: of two instances deciding at once, at least one sees the
 * other's intent). An instance exports the groups rendezvous hashing gives it among the live
 * instances, except a group it does not export yet while another live instance may export it:
 * one of whose views gives it that group, or whose views are not known. The previous owner drops
 * the group on its next iteration, publishes its new view, and the new owner takes the group on
 * its own next iteration: a handover leaves a gap of about one iteration and never an overlap.
 */
import { groupKey, rendezvousOwner } from "./rendezvous.ts";

/**
 * What another live instance may export in one Kafka cluster: the live sets it selects under
 * (none: it has no snapshot of the cluster and selects nothing), or "unknown" (it has not said
 * since Redis lost its data; assume it may export any group).
 */
export type PeerView = ReadonlyArray<readonly string[]> | "unknown";

/** One selection's inputs. */
export interface HandoverInput {
  clusterName: string;
  groupIds: readonly string[];
  self: string;
  /** The live instances (sorted), this one included. */
  live: readonly string[];
  /** The groups in this instance's current snapshot of the cluster. */
  exporting: ReadonlySet<string>;
  /** Every other live instance's view of this cluster. */
  peers: ReadonlyMap<string, PeerView>;
}

/** The groups to export, and how many this instance waits to take over. */
export function selectGroups(input: HandoverInput): { owned: string[]; awaiting: number } {
  const { clusterName, groupIds, self, live, exporting } = input;
  const liveKey = live.join(",");
  // A view that is the current live set cannot give a peer a group the live set gives to us.
  const claiming: Array<[string, ReadonlyArray<readonly string[]> | "unknown"]> = [];
  for (const [peer, views] of input.peers) {
    if (views === "unknown") claiming.push([peer, views]);
    else {
      const others = views.filter((view) => view.join(",") !== liveKey);
      if (others.length > 0) claiming.push([peer, others]);
    }
  }
  const owned: string[] = [];
  let awaiting = 0;
  for (const groupId of groupIds) {
    const key = groupKey(clusterName, groupId);
    if (rendezvousOwner(key, live) !== self) continue;
    const mayBeExportedElsewhere = !exporting.has(groupId) &&
      claiming.some(([peer, views]) =>
        views === "unknown" || views.some((view) => rendezvousOwner(key, view) === peer)
      );
    if (mayBeExportedElsewhere) awaiting++;
    else owned.push(groupId);
  }
  return { owned, awaiting };
}
