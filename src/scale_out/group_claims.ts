/**
 * The bookkeeping between membership and handover: which groups this instance selected for the
 * running iteration, which ones its published snapshot holds, and the view it announces to the
 * other instances per Kafka cluster: the live set its exported groups were selected with, or
 * "unreachable" when its last iteration of that cluster failed (it exports none of its groups).
 * A cluster's groups are shared among the instances that can reach it: an instance cut off from
 * one cluster hands its share of that cluster over at once, and takes it back (through the usual
 * handover) once an iteration succeeds again.
 */
import { type PeerView, selectGroups } from "./handover.ts";

/** What the claims need from membership: the live set and what each instance announced. */
export interface MembershipView {
  readonly nodeId: string;
  /** The live instances, sorted, this one included. */
  liveNodes(): string[];
  /** What `nodeId` announced, as sent (null: nothing known). */
  exportsOf(nodeId: string): string | null;
  /** Sets what this instance announces with its next heartbeat. */
  setExports(exports: string): void;
}

/** Announced for a cluster whose last iteration failed: nothing of it is exported. */
const UNREACHABLE = "unreachable";

/** A peer's view of one Kafka cluster, read from what it announced. */
export function peerView(
  exports: string | null,
  clusterName: string,
): PeerView | typeof UNREACHABLE {
  if (exports === null) return "unknown";
  try {
    const views = JSON.parse(exports) as Record<string, unknown>;
    const view = views[clusterName];
    if (view === undefined) return "nothing";
    if (view === UNREACHABLE) return UNREACHABLE;
    return Array.isArray(view) && view.every((node) => typeof node === "string") ? view : "unknown";
  } catch {
    return "unknown";
  }
}

interface Claim {
  live: string[];
  groups: ReadonlySet<string>;
}

/** This instance's claims on consumer groups, one Kafka cluster at a time. */
export class GroupClaims {
  readonly #membership: MembershipView;
  /** Per Kafka cluster: the claim of the snapshot /metrics shows, or "unreachable". */
  readonly #exported = new Map<string, Claim | typeof UNREACHABLE>();
  /** Per Kafka cluster: the claim of the iteration running. */
  readonly #selected = new Map<string, Claim>();

  constructor(membership: MembershipView) {
    this.#membership = membership;
  }

  /**
   * The groups among `groupIds` to measure now, and how many wait for their previous owner.
   * Shared among the live instances that can reach the cluster; none while this one cannot.
   */
  select(clusterName: string, groupIds: readonly string[]): { owned: string[]; awaiting: number } {
    const self = this.#membership.nodeId;
    const selfReaches = this.#exported.get(clusterName) !== UNREACHABLE;
    const live: string[] = [];
    const peers = new Map<string, PeerView>();
    for (const node of this.#membership.liveNodes()) {
      if (node === self) {
        if (selfReaches) live.push(node);
        continue;
      }
      const view = peerView(this.#membership.exportsOf(node), clusterName);
      if (view === UNREACHABLE) continue;
      live.push(node);
      peers.set(node, view);
    }
    const exported = this.#exported.get(clusterName);
    const selection = selfReaches
      ? selectGroups({
        clusterName,
        groupIds,
        self,
        live,
        exporting: exported === undefined || exported === UNREACHABLE ? new Set() : exported.groups,
        peers,
      })
      // Until an iteration succeeds again: its share is with the others meanwhile.
      : { owned: [], awaiting: 0 };
    this.#selected.set(clusterName, { live, groups: new Set(selection.owned) });
    return selection;
  }

  /**
   * An iteration of `clusterName` ended; `isExported` tells whether its snapshot is now what
   * /metrics shows (false: the iteration failed and the cluster's series are gone). Returns true
   * when a new announcement was set (worth a heartbeat at once).
   */
  published(clusterName: string, isExported: boolean): boolean {
    const selection = this.#selected.get(clusterName);
    this.#selected.delete(clusterName);
    if (!isExported) {
      if (this.#exported.get(clusterName) === UNREACHABLE) return false;
      this.#exported.set(clusterName, UNREACHABLE);
    } else {
      if (!selection) return false;
      this.#exported.set(clusterName, selection);
    }
    this.#membership.setExports(this.announcement());
    return true;
  }

  /** What this instance announces: per Kafka cluster, the live set of its exported groups. */
  announcement(): string {
    return JSON.stringify(
      Object.fromEntries(
        [...this.#exported].map((
          [name, claim],
        ) => [name, claim === UNREACHABLE ? UNREACHABLE : claim.live]),
      ),
    );
  }
}
