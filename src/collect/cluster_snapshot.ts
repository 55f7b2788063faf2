/** The immutable result of one iteration over one cluster, which metrics and reports are built from. */
import type { GroupLag } from "../lag/types.ts";

/** What one successful iteration measured on one cluster. */
export interface ClusterSnapshot {
  clusterName: string;
  /** Groups that passed the filters (and that this instance owns), measured or not. */
  groupsChecked: number;
  /** Groups with at least one partition measured. */
  groups: GroupLag[];
  startedAtMs: number;
  completedAtMs: number;
  /** Exact mode: record timestamps asked for and found in this iteration. */
  recordLookups?: { requested: number; found: number };
}

/** The latest known state of one cluster, as the loop publishes it. */
export interface ClusterStatus {
  clusterName: string;
  /** Undefined until the first iteration ends. */
  up?: boolean;
  /** The last successful iteration, cleared when the cluster fails so no lag is left frozen. */
  snapshot?: ClusterSnapshot;
  lastError?: string;
  iterationErrorsTotal: number;
  lastDurationSeconds?: number;
  lastSuccessMs?: number;
}
