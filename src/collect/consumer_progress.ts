/**
 * Each measured group's progress across iterations, judged into a consumer status per partition
 * and per group (src/lag/consumer_status.ts has the rules). Kept per group in one Float64Array
 * (eleven numbers per partition) rather than an object per partition: at 10,000 groups there
 * are a quarter of a million partitions.
 */
import {
  advanceProgress,
  CONSUMER_STATUSES,
  type ConsumerStatus,
  type PartitionProgress,
  partitionStatus,
  timeToCatchUpSeconds,
} from "../lag/consumer_status.ts";
import type { GroupLag } from "../lag/group_lag.ts";

const FIELDS = 11;

/** Per partition in GroupLag.partitionRates: consumption, production, time to catch up. */
export const RATE_FIELDS = 3;

interface GroupProgress {
  topics: string[];
  partitions: number[];
  values: Float64Array;
}

/** The progress of one cluster's groups, carried from iteration to iteration. */
export class ConsumerProgress {
  #groups = new Map<string, GroupProgress>();

  /**
   * Advances every group's progress with this iteration's offsets and sets its status (and its
   * partitions'). Groups not measured this time are forgotten: they start afresh when back.
   */
  judge(groups: readonly GroupLag[], { nowMs, windowMs }: { nowMs: number; windowMs: number }) {
    const next = new Map<string, GroupProgress>();
    for (const group of groups) {
      const table = group.partitions;
      const previous = this.#groups.get(group.groupId);
      const current: GroupProgress = {
        topics: [],
        partitions: [],
        values: new Float64Array(table.length * FIELDS),
      };
      const statuses = new Uint8Array(table.length);
      const rates = new Float64Array(table.length * RATE_FIELDS).fill(NaN);
      let consumeRate: number | undefined;
      let produceRate: number | undefined;
      let catchUpSeconds: number | undefined = 0;
      const groupHasMembers = (group.activity?.members.length ?? 0) > 0;
      let worst = 0;
      let cursor = 0; // merge-join: both sides are sorted by topic, then partition
      for (let index = 0; index < table.length; index++) {
        const topic = table.topic(index);
        const partition = table.partition(index);
        while (
          previous && cursor < previous.topics.length && before(previous, cursor, topic, partition)
        ) {
          cursor++;
        }
        const known = previous && cursor < previous.topics.length &&
            previous.topics[cursor] === topic && previous.partitions[cursor] === partition
          ? unpack(previous.values, cursor)
          : undefined;
        const progress = advanceProgress(known, {
          nowMs,
          committedOffset: table.committedOffset(index),
          lagOffsets: table.lagOffsets(index),
          rateTimeConstantMs: windowMs,
        });
        pack(current.values, { index, progress });
        current.topics.push(topic);
        current.partitions.push(partition);
        const status = CONSUMER_STATUSES.indexOf(
          partitionStatus(progress, { nowMs, windowMs, groupHasMembers }),
        );
        statuses[index] = status;
        worst = Math.max(worst, status);
        const eta = timeToCatchUpSeconds(progress);
        rates[index * RATE_FIELDS] = progress.consumeRate ?? NaN;
        rates[index * RATE_FIELDS + 1] = progress.produceRate ?? NaN;
        rates[index * RATE_FIELDS + 2] = eta ?? NaN;
        if (progress.consumeRate !== undefined) {
          consumeRate = (consumeRate ?? 0) + progress.consumeRate;
        }
        if (progress.produceRate !== undefined) {
          produceRate = (produceRate ?? 0) + progress.produceRate;
        }
        // The group has caught up when its slowest partition has; unknown if any is unknown.
        catchUpSeconds = eta === undefined || catchUpSeconds === undefined
          ? undefined
          : Math.max(catchUpSeconds, eta);
      }
      next.set(group.groupId, current);
      group.status = CONSUMER_STATUSES[worst];
      group.partitionStatuses = statuses;
      group.partitionRates = rates;
      group.rates = { consumeRate, produceRate, catchUpSeconds };
    }
    this.#groups = next;
  }
}

/** The status of a group's partition at `index`, as judge() set it. */
export function partitionStatusAt(group: GroupLag, index: number): ConsumerStatus | undefined {
  const code = group.partitionStatuses?.[index];
  return code === undefined ? undefined : CONSUMER_STATUSES[code];
}

// arity-ok: called for every group-partition of every iteration; a bag would allocate each time
function before(progress: GroupProgress, cursor: number, topic: string, partition: number) {
  const otherTopic = progress.topics[cursor];
  return otherTopic < topic || (otherTopic === topic && progress.partitions[cursor] < partition);
}

function unpack(values: Float64Array, index: number): PartitionProgress {
  const at = index * FIELDS;
  const optional = (value: number) => Number.isNaN(value) ? undefined : value;
  return {
    firstSeenMs: values[at],
    committedOffset: values[at + 1],
    lagOffsets: values[at + 2],
    committedMovedAtMs: values[at + 3],
    zeroLagAtMs: optional(values[at + 4]),
    lagAtCommitOffsets: values[at + 5],
    lagRunStartMs: values[at + 6],
    rewoundAtMs: optional(values[at + 7]),
    readAtMs: values[at + 8],
    consumeRate: optional(values[at + 9]),
    produceRate: optional(values[at + 10]),
  };
}

function pack(
  values: Float64Array,
  { index, progress }: { index: number; progress: PartitionProgress },
) {
  const at = index * FIELDS;
  values[at] = progress.firstSeenMs;
  values[at + 1] = progress.committedOffset;
  values[at + 2] = progress.lagOffsets;
  values[at + 3] = progress.committedMovedAtMs;
  values[at + 4] = progress.zeroLagAtMs ?? NaN;
  values[at + 5] = progress.lagAtCommitOffsets;
  values[at + 6] = progress.lagRunStartMs;
  values[at + 7] = progress.rewoundAtMs ?? NaN;
  values[at + 8] = progress.readAtMs;
  values[at + 9] = progress.consumeRate ?? NaN;
  values[at + 10] = progress.produceRate ?? NaN;
}
