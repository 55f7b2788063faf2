/** Runs one cluster's iterations on its own schedule, so a slow cluster never delays another. */
import { describeError, type Logger } from "../log/logger.ts";
import type { ClusterSnapshot, ClusterStatus } from "./cluster_snapshot.ts";
import type { UnavailablePartition } from "../kafka/kafka_admin.ts";
import type { CarriedEndOffset } from "./end_offset_memory.ts";
import { withDeadline } from "./with_deadline.ts";

/** What one cluster's loop needs. */
export interface ClusterLoopDeps {
  /** One full iteration over the cluster. */
  collect(): Promise<ClusterSnapshot>;
  /** Drops the Kafka connections after a failure, so the next iteration starts clean. */
  resetClient(): Promise<void>;
  now(): number;
  /** Waits `ms` or until `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  logger: Logger;
  /** Receives the cluster's status after every iteration. */
  publish(status: ClusterStatus): void;
}

/** Timing of one cluster's loop. */
export interface ClusterLoopOptions {
  intervalMs: number;
  /** An iteration that runs longer fails, and the cluster is marked down. */
  deadlineMs: number;
}

/**
 * Deadline of one cluster iteration: it must not outlive the interval, nor cut a slow request
 * (one request timeout plus the metadata one).
 */
export function iterationDeadlineMs(
  intervalMs: number,
  cluster: { requestTimeoutMs: number; metadataTimeoutMs: number },
): number {
  return Math.max(intervalMs, cluster.requestTimeoutMs + cluster.metadataTimeoutMs);
}

/** Runs one iteration and returns the cluster's next status; logs only when up/down changes. */
export async function iterateCluster(
  { previous, deadlineMs }: { previous: ClusterStatus; deadlineMs: number },
  deps: Omit<ClusterLoopDeps, "sleep" | "publish">,
): Promise<ClusterStatus> {
  const log = deps.logger.child({ cluster: previous.clusterName });
  const startedMs = deps.now();
  try {
    const snapshot = await withDeadline(deps.collect(), { deadlineMs, what: "cluster iteration" });
    const durationSeconds = (deps.now() - startedMs) / 1_000;
    if (previous.up !== true) {
      log.info(previous.up === false ? "cluster is reachable again" : "cluster is up", {
        groups: snapshot.groupsChecked,
      });
    }
    logDegradation({ previous: previous.snapshot, next: snapshot }, log);
    return {
      ...previous,
      up: true,
      snapshot,
      lastError: undefined,
      lastDurationSeconds: durationSeconds,
      lastSuccessMs: snapshot.completedAtMs,
    };
  } catch (error) {
    // The API and --once show it too: redacted as log lines are.
    const message = log.redact(describeError(error));
    // Once per state change: a cluster that stays down does not flood the log every iteration.
    if (previous.up !== false) {
      log.error("cannot read the cluster; its lag series are removed until it answers", {
        error: message,
      });
    } else if (previous.lastError !== message) {
      log.debug("the cluster is still unreadable", { error: message });
    }
    await deps.resetClient().catch(() => {});
    return {
      ...previous,
      up: false,
      snapshot: undefined,
      lastError: message,
      iterationErrorsTotal: previous.iterationErrorsTotal + 1,
      lastDurationSeconds: (deps.now() - startedMs) / 1_000,
    };
  }
}

/** Which cluster a loop runs for, its timing, and the signal that stops it. */
export interface RunClusterLoopOptions extends ClusterLoopOptions {
  clusterName: string;
  signal: AbortSignal;
}

/** Iterates until `signal` aborts: one iteration every `intervalMs` (measured start to start). */
export async function runClusterLoop(
  options: RunClusterLoopOptions,
  deps: ClusterLoopDeps,
): Promise<void> {
  const { clusterName, signal } = options;
  let status: ClusterStatus = { clusterName, iterationErrorsTotal: 0 };
  while (!signal.aborted) {
    const startedMs = deps.now();
    // On shutdown the iteration in flight is abandoned, not awaited: against a hung broker it
    // could take the whole deadline, and SIGTERM must end the process within seconds.
    const next = await unlessAborted(
      iterateCluster({ previous: status, deadlineMs: options.deadlineMs }, deps),
      signal,
    );
    if (signal.aborted || next === undefined) break;
    status = next;
    deps.publish(status);
    const elapsedMs = deps.now() - startedMs;
    await deps.sleep(Math.max(0, options.intervalMs - elapsedMs), signal);
  }
}

/**
 * Resolves like `work`, or with undefined as soon as `signal` aborts. The abort listener is
 * removed either way: left behind, every iteration's listener would keep that iteration's
 * snapshot reachable (through the race's settled promise) for the life of the process.
 */
async function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return undefined;
  let onAbort = () => {};
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** A sleep that ends early when the signal aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** How many partitions, groups or brokers a log line names; the rest are counted. */
const MAX_LOGGED_ITEMS = 20;

/** One kind of degradation a snapshot reports, and how to log it when its set changes. */
interface Degradation<T> {
  items(snapshot: ClusterSnapshot | undefined): readonly T[] | undefined;
  /** What identifies an item, for telling whether the set changed. */
  key(item: T): string;
  /** What the log line says of an item. */
  describe(item: T): string;
  /** Logged when the set becomes non-empty or changes. */
  warning: string;
  /** Logged when the set becomes empty (nothing when absent). */
  recovered?: string;
}

/** Erases the item type, so the kinds can share one list (each is used only with its own items). */
function kind<T>(degradation: Degradation<T>): Degradation<unknown> {
  return degradation as Degradation<unknown>;
}

const DEGRADATIONS: ReadonlyArray<Degradation<unknown>> = [
  kind<UnavailablePartition>({
    items: (snapshot) => snapshot?.unavailablePartitions,
    key: (p) => `${p.topic}-${p.partition}:${p.reason}`,
    describe: (p) => `${p.topic}-${p.partition} (${p.reason}: ${p.detail})`,
    warning: "partitions not measured this iteration; they have no lag series until they are",
    recovered: "every partition is measured again",
  }),
  kind<{ groupId: string; detail: string }>({
    items: (snapshot) => snapshot?.unreadGroups,
    key: (group) => group.groupId,
    describe: (group) => `${group.groupId} (${group.detail})`,
    warning: "cannot read committed offsets of groups; they have no lag series until they are",
    recovered: "every group's committed offsets are read again",
  }),
  kind<{ groupId: string; detail: string }>({
    items: (snapshot) => snapshot?.carriedGroups,
    key: (group) => group.groupId,
    describe: (group) => `${group.groupId} (${group.detail})`,
    warning: "coordinators cannot answer for groups; their last committed offsets are used (no " +
      "consumer can commit meanwhile either) for up to 5 minutes",
    recovered: "the coordinators of every group answer again",
  }),
  kind<CarriedEndOffset>({
    items: (snapshot) => snapshot?.carriedEndOffsets,
    key: (p) => `${p.topic}-${p.partition}`,
    describe: (p) => `${p.topic}-${p.partition} (${p.detail})`,
    warning: "partition leaders cannot be reached; their last end offsets are used (nobody can " +
      "append to them meanwhile either) for up to 2 minutes",
    recovered: "the leaders of every partition answer again",
  }),
  kind<{ groupId: string; memberId: string; detail: string }>({
    items: (snapshot) => snapshot?.malformedAssignments,
    key: (member) => `${member.groupId}\u0000${member.memberId}`,
    describe: (member) => `${member.groupId} member ${member.memberId} (${member.detail})`,
    warning: "group members' assignments could not be decoded; the groups are measured, those " +
      "members' partitions have no owner",
    recovered: "every member's assignment is decoded again",
  }),
  kind<{ groupId: string; detail: string }>({
    items: (snapshot) => snapshot?.undescribedGroups,
    key: (group) => group.groupId,
    describe: (group) => `${group.groupId} (${group.detail})`,
    warning: "cannot read the state and members of groups; their lag is measured all the same",
    recovered: "every group's state and members are read again",
  }),
  kind<{ nodeId: string; detail: string }>({
    items: (snapshot) => snapshot?.unlistedBrokers,
    key: (broker) => broker.nodeId,
    describe: (broker) => `${broker.nodeId}: ${broker.detail}`,
    warning:
      "brokers did not answer ListGroups; their groups are carried over from the last listing",
    recovered: "every broker answers ListGroups again",
  }),
];

/**
 * Logs once when partitions or groups stop or resume being measured, or brokers stop or resume
 * answering ListGroups: a cluster that stays degraded does not repeat itself every iteration.
 */
function logDegradation(
  { previous, next }: { previous: ClusterSnapshot | undefined; next: ClusterSnapshot },
  log: Logger,
): void {
  for (const degradation of DEGRADATIONS) {
    const keyOf = (snapshot?: ClusterSnapshot) =>
      (degradation.items(snapshot) ?? []).map(degradation.key).sort().join(",");
    if (keyOf(previous) === keyOf(next)) continue;
    const items = degradation.items(next) ?? [];
    if (items.length === 0) {
      if (degradation.recovered) log.info(degradation.recovered);
      continue;
    }
    log.warn(degradation.warning, {
      count: items.length,
      items: items.slice(0, MAX_LOGGED_ITEMS).map(degradation.describe).join("; ") +
        (items.length > MAX_LOGGED_ITEMS ? "; …" : ""),
    });
  }
}
