/**
 * The bookkeeping between membership and handover: which groups this instance selected for the
 * running iteration, which ones its published snapshot holds, and the view it announces to the
 * other instances (per Kafka cluster, the live set its exported groups were selected with).
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

/** A peer's view of one Kafka cluster, read from what it announced. */
export function peerView(exports: string | null, clusterName: string): PeerView {
  if (exports === null) return "unknown";
  try {
    const views = JSON.parse(exports) as Record<string, unknown>;
    const view = views[clusterName];
    if (view === undefined) return "nothing";
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
  /** Per Kafka cluster: the claim of the snapshot /metrics shows. */
  readonly #exported = new Map<string, Claim>();
  /** Per Kafka cluster: the claim of the iteration running. */
  readonly #selected = new Map<string, Claim>();

  constructor(membership: MembershipView) {
    this.#membership = membership;
  }

  /** The groups among `groupIds` to measure now, and how many wait for their previous owner. */
  select(clusterName: string, groupIds: readonly string[]): { owned: string[]; awaiting: number } {
    const self = this.#membership.nodeId;
    const live = this.#membership.liveNodes();
    const peers = new Map<string, PeerView>();
    for (const node of live) {
      if (node !== self) peers.set(node, peerView(this.#membership.exportsOf(node), clusterName));
    }
    const selection = selectGroups({
      clusterName,
      groupIds,
      self,
      live,
      exporting: this.#exported.get(clusterName)?.groups ?? new Set(),
      peers,
    });
    this.#selected.set(clusterName, { live, groups: new Set(selection.owned) });
    return selection;
  }

  /**
   * An iteration of `clusterName` ended; `isExported` tells whether its snapshot is now what
   * /metrics shows. Returns true when a new announcement was set (worth a heartbeat at once).
   */
  published(clusterName: string, isExported: boolean): boolean {
    const selection = this.#selected.get(clusterName);
    // A failed iteration exports nothing: the previous claim stays (claiming more than is
    // exported only makes others wait).
    if (!isExported || !selection) return false;
    this.#selected.delete(clusterName);
    this.#exported.set(clusterName, selection);
    this.#membership.setExports(this.announcement());
    return true;
  }

  /** What this instance announces: per Kafka cluster, the live set of its exported groups. */
  announcement(): string {
    return JSON.stringify(
      Object.fromEntries([...this.#exported].map(([name, { live }]) => [name, live])),
    );
  }
}
