/**
 * Which groups an instance exports, so that no group is ever exported by two instances at once.
 *
 * Each instance publishes, with its heartbeat, the live set it selected its current snapshot's
 * groups with ("its view"), per Kafka cluster. An instance exports the groups rendezvous hashing
 * gives it among the live instances, except a group it does not export yet while another live
 * instance may still export it: one whose view still gives it that group, or whose view is not
 * known. The previous owner drops the group on its next iteration, publishes its new view, and the
 * new owner takes the group on its own next iteration: a handover leaves a gap of about one
 * iteration and never an overlap.
 */
import { groupKey, rendezvousOwner } from "./rendezvous.ts";

/**
 * What another live instance exports in one Kafka cluster: the live set of its current snapshot,
 * "nothing" (it has no snapshot of the cluster yet), or "unknown" (it has not said since Redis
 * lost its data; assume it may export any group).
 */
export type PeerView = readonly string[] | "nothing" | "unknown";

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
  // Peers whose view is the current live set cannot claim a group the live set gives to us.
  const claiming: Array<[string, readonly string[] | "unknown"]> = [];
  for (const [peer, view] of input.peers) {
    if (view === "unknown" || (view !== "nothing" && view.join(",") !== liveKey)) {
      claiming.push([peer, view]);
    }
  }
  const owned: string[] = [];
  let awaiting = 0;
  for (const groupId of groupIds) {
    const key = groupKey(clusterName, groupId);
    if (rendezvousOwner(key, live) !== self) continue;
    const mayBeExportedElsewhere = !exporting.has(groupId) &&
      claiming.some(([peer, view]) => view === "unknown" || rendezvousOwner(key, view) === peer);
    if (mayBeExportedElsewhere) awaiting++;
    else owned.push(groupId);
  }
  return { owned, awaiting };
}
