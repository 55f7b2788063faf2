/**
 * The bookkeeping between membership and handover: which groups this instance selected for the
 * running iteration, which ones its published snapshot holds, and what it announces to the other
 * instances per Kafka cluster: the live sets ("views") it may export groups under (that of its
 * snapshot and, from intend() until the iteration's snapshot is published, the one it selects
 * with), or "unreachable" when its last iteration of that cluster failed (it exports none of its
 * groups). A cluster's groups are shared among the instances that can reach it: an instance cut
 * off from one cluster hands its share of that cluster over at once, and takes it back (through
 * the usual handover) once an iteration succeeds again.
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

const isView = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((node) => typeof node === "string");

/**
 * A peer's views of one Kafka cluster, read from what it announced: a list of views, or one view
 * (what instances before the intent step announced).
 */
export function peerView(
  exports: string | null,
  clusterName: string,
): PeerView | typeof UNREACHABLE {
  if (exports === null) return "unknown";
  try {
    const announced = (JSON.parse(exports) as Record<string, unknown>)[clusterName];
    if (announced === undefined) return [];
    if (announced === UNREACHABLE) return UNREACHABLE;
    if (isView(announced)) return [announced];
    if (Array.isArray(announced) && announced.length > 0 && announced.every(isView)) {
      return announced;
    }
    return "unknown";
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
  /** Per Kafka cluster: the live set the running iteration selects with, once announced. */
  readonly #intended = new Map<string, string[]>();
  /** Per Kafka cluster: the claim of the iteration running. */
  readonly #selected = new Map<string, Claim>();

  constructor(membership: MembershipView) {
    this.#membership = membership;
  }

  /**
   * Fixes the live set the next selection of `clusterName` uses (the instances that reach it, as
   * last read) and adds it to the announcement; returns true when the announcement changed. It
   * must reach the others before this instance reads their announcements for select().
   */
  intend(clusterName: string): boolean {
    const live = this.#clusterLive(clusterName);
    this.#intended.set(clusterName, live);
    return this.#announce();
  }

  /**
   * The groups among `groupIds` to measure now, and how many wait for their previous owner:
   * those rendezvous hashing gives this instance among the intended live set, unless another
   * instance's announced views may give it one this instance does not export yet. None while
   * this instance cannot reach the cluster.
   */
  select(clusterName: string, groupIds: readonly string[]): { owned: string[]; awaiting: number } {
    const self = this.#membership.nodeId;
    const live = this.#intended.get(clusterName) ?? this.#clusterLive(clusterName);
    const peers = new Map<string, PeerView>();
    for (const node of this.#membership.liveNodes()) {
      if (node === self) continue;
      const view = peerView(this.#membership.exportsOf(node), clusterName);
      if (view !== UNREACHABLE) peers.set(node, view);
    }
    const exported = this.#exported.get(clusterName);
    const selection = live.includes(self)
      ? selectGroups({
        clusterName,
        groupIds,
        self,
        live,
        exporting: exported === undefined || exported === UNREACHABLE ? new Set() : exported.groups,
        peers,
      })
      // Cut off from the cluster until an iteration succeeds: its share is with the others.
      : { owned: [], awaiting: 0 };
    this.#selected.set(clusterName, { live, groups: new Set(selection.owned) });
    return selection;
  }

  /** Selects no group of `clusterName` for this iteration (this instance stops exporting it). */
  selectNone(clusterName: string): string[] {
    this.#selected.set(clusterName, { live: [], groups: new Set() });
    return [];
  }

  /**
   * An iteration of `clusterName` ended; `isExported` tells whether its snapshot is now what
   * /metrics shows (false: the iteration failed and the cluster's series are gone). Returns true
   * when the announcement changed (worth a heartbeat at once).
   */
  published(clusterName: string, isExported: boolean): boolean {
    const selection = this.#selected.get(clusterName);
    this.#selected.delete(clusterName);
    this.#intended.delete(clusterName);
    if (!isExported) this.#exported.set(clusterName, UNREACHABLE);
    else if (selection) this.#exported.set(clusterName, selection);
    return this.#announce();
  }

  /** What this instance announces: per Kafka cluster, its views, or "unreachable". */
  announcement(): string {
    const clusters = new Set([...this.#exported.keys(), ...this.#intended.keys()]);
    const announced: Record<string, unknown> = {};
    for (const cluster of clusters) {
      const exported = this.#exported.get(cluster);
      const intended = this.#intended.get(cluster);
      // Until an iteration succeeds again (it selects nothing meanwhile).
      if (exported === UNREACHABLE) {
        announced[cluster] = UNREACHABLE;
        continue;
      }
      const views = new Map<string, string[]>();
      for (const view of [exported?.live, intended]) {
        if (view !== undefined) views.set(view.join(","), view);
      }
      announced[cluster] = [...views.values()];
    }
    return JSON.stringify(announced);
  }

  #announce(): boolean {
    const next = this.announcement();
    if (next === this.#lastAnnounced) return false;
    this.#lastAnnounced = next;
    this.#membership.setExports(next);
    return true;
  }

  #lastAnnounced = "{}";

  /** The live instances that reach `clusterName`: all but those whose iteration of it failed. */
  #clusterLive(clusterName: string): string[] {
    const self = this.#membership.nodeId;
    return this.#membership.liveNodes().filter((node) =>
      node === self
        ? this.#exported.get(clusterName) !== UNREACHABLE
        : peerView(this.#membership.exportsOf(node), clusterName) !== UNREACHABLE
    );
  }
}
