/**
 * The last end offset read of each partition, so that a partition whose leader cannot be reached
 * keeps its lag series through a leader failover. While a partition has no leader (its broker
 * crashed, hangs or shuts down, and the controller has not moved the leadership yet) nobody can
 * append to it: its end offset cannot move until a new leader is elected, so the last one read is
 * still its end offset. It is used, for up to END_OFFSET_CARRY_OVER_MS after it was read, as this
 * iteration's; the partition is reported as carried over. The same reasoning LastSeenGroups applies
 * to committed offsets while a coordinator is away.
 */
import type { EndOffset, EndOffsets, UnavailablePartition } from "../kafka/kafka_admin.ts";

/**
 * How long after its last successful read a partition's end offset is carried over: Kafka elects
 * a new leader within seconds of a broker's session timing out (9 s by default in KRaft), so two
 * minutes covers a failover with room to spare, and no longer hides a partition that stays
 * leaderless (all its replicas down): its series then go, as before.
 */
export const END_OFFSET_CARRY_OVER_MS = 2 * 60_000;

/** A partition measured with its last end offset, since when, and why it could not be read. */
export interface CarriedEndOffset {
  topic: string;
  partition: number;
  sinceMs: number;
  detail: string;
}

/** This iteration's end offsets with the carried-over ones filled in. */
export interface FilledEndOffsets extends EndOffsets {
  carried: CarriedEndOffset[];
}

/** The partitions of one cluster as last read. */
export class EndOffsetMemory {
  /** The last offset actually read, by "topic\0partition". */
  #lastRead = new Map<string, EndOffset>();
  /** Partitions carried over, since when. */
  #carriedSinceMs = new Map<string, number>();

  /**
   * Remembers what was read and fills in the unavailable partitions read less than
   * END_OFFSET_CARRY_OVER_MS ago (observed now: their end offset cannot have moved); the others
   * stay unavailable. Partitions neither read nor unavailable (deleted) are forgotten.
   */
  fillIn(read: EndOffsets, nowMs: number): FilledEndOffsets {
    const lastRead = new Map<string, EndOffset>();
    for (const end of read.offsets) {
      lastRead.set(`${end.topic}\u0000${end.partition}`, end);
    }
    const offsets = [...read.offsets];
    const unavailable: UnavailablePartition[] = [];
    const carried: CarriedEndOffset[] = [];
    const carriedSinceMs = new Map<string, number>();
    for (const missing of read.unavailable) {
      const key = `${missing.topic}\u0000${missing.partition}`;
      const last = this.#lastRead.get(key);
      if (last === undefined || nowMs - last.observedAtMs > END_OFFSET_CARRY_OVER_MS) {
        unavailable.push(missing);
        continue;
      }
      lastRead.set(key, last);
      offsets.push({ ...last, observedAtMs: nowMs });
      const sinceMs = this.#carriedSinceMs.get(key) ?? nowMs;
      carriedSinceMs.set(key, sinceMs);
      carried.push({
        topic: missing.topic,
        partition: missing.partition,
        sinceMs,
        detail: missing.detail,
      });
    }
    this.#lastRead = lastRead;
    this.#carriedSinceMs = carriedSinceMs;
    return { offsets, unavailable, carried };
  }
}
