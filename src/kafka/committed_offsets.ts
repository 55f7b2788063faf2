/**
 * Committed offsets of many groups: groups sorted by coordinator, asked for in OffsetFetch v8
 * requests of many groups each (KIP-709), coordinators found with batched FindCoordinator v4
 * (KIP-699) and remembered across iterations; one request per group on brokers before Kafka 3.0.
 */
import {
  type CommittedOffset,
  type CommittedOffsetsOptions,
  type GroupOffsets,
  KafkaAuthorizationError,
} from "./kafka_admin.ts";
import {
  type AdminContext,
  asError,
  askBroker,
  explainAuthorization,
  groupError,
  type InternalConnectedBroker,
  sendOwnRequest,
  supports,
} from "./kafkajs/internals.ts";
import {
  decodeOffsetFetchV8,
  encodeOffsetFetchV8,
  type GroupOffsetsResponse,
  OFFSET_FETCH,
} from "./protocol/offset_fetch.ts";
import { GROUP_ID_NOT_FOUND, isCoordinatorError } from "./protocol/error_codes.ts";
import { mapConcurrent } from "../util/map_concurrent.ts";
import { BrokerUnresponsiveError } from "./kafkajs/unresponsive_brokers.ts";
import type { GroupCoordinators } from "./group_coordinators.ts";

/**
 * Groups per OffsetFetch v8 request: about 25 partitions each make answers of a few hundred KiB,
 * small enough that one slow request does not hold up an iteration.
 */
const MAX_GROUPS_PER_OFFSET_FETCH = 500;

/** Records a group's failure; `coordinatorMoved` asks for one more try at its new coordinator. */
type GroupFailure = (groupId: string, failure: { error: Error; coordinatorMoved: boolean }) => void;

/** Reads committed offsets, groups sorted by their (remembered) coordinators. */
export class CommittedOffsetsReader {
  readonly #coordinators: GroupCoordinators;
  readonly #groupBatching: boolean | undefined;

  /** `groupBatching: false` forces one request per group, as before Kafka 3.0 (for tests). */
  constructor(
    { coordinators, groupBatching }: { coordinators: GroupCoordinators; groupBatching?: boolean },
  ) {
    this.#coordinators = coordinators;
    this.#groupBatching = groupBatching;
  }

  /**
   * Committed offsets of many groups: the groups are sorted by coordinator and asked for in
   * OffsetFetch v8 requests of up to MAX_GROUPS_PER_OFFSET_FETCH groups (one request per group
   * on brokers older than 3.0). Groups whose coordinator moved are asked once more, at their new
   * coordinator, in the same iteration.
   */
  async fetch(
    context: AdminContext,
    { groupIds, concurrency, onOffsets }: {
      groupIds: readonly string[];
      concurrency: number;
    } & CommittedOffsetsOptions,
  ): Promise<GroupOffsets[]> {
    const { cluster } = context;
    const results = new Map<string, GroupOffsets>();
    let pending: readonly string[] = groupIds;
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
      const lastAttempt = attempt === 2;
      const retry = new Set<string>();
      const failed: GroupFailure = (groupId, { error, coordinatorMoved }) => {
        if (coordinatorMoved) this.#coordinators.forgetGroup(groupId);
        if (coordinatorMoved && !lastAttempt) retry.add(groupId);
        else results.set(groupId, { groupId, error });
      };
      const byCoordinator = await this.#coordinators.lookUp(context, {
        groupIds: pending,
        concurrency,
        failed: (groupId, error) => failed(groupId, { error, coordinatorMoved: false }),
      });
      const requests: Array<
        { nodeId: string; broker: InternalConnectedBroker; groupIds: string[] }
      > = [];
      for (const [nodeId, members] of byCoordinator) {
        let broker: InternalConnectedBroker;
        try {
          // A coordinator held back after a timeout is not asked in this iteration.
          if (context.unresponsive.has(nodeId)) throw new BrokerUnresponsiveError(nodeId);
          broker = await cluster.brokerPool.findBroker({ nodeId });
        } catch (error) {
          for (const groupId of members) {
            failed(groupId, { error: asError(error), coordinatorMoved: true });
          }
          continue;
        }
        const batchSize = supports(broker, OFFSET_FETCH, this.#groupBatching)
          ? MAX_GROUPS_PER_OFFSET_FETCH
          : 1;
        for (let start = 0; start < members.length; start += batchSize) {
          requests.push({ nodeId, broker, groupIds: members.slice(start, start + batchSize) });
        }
      }
      await mapConcurrent(
        { items: requests, concurrency },
        async ({ nodeId, broker, groupIds: batch }) => {
          let answers: GroupOffsetsResponse[];
          try {
            answers = await askBroker(
              context,
              { nodeId: nodeId, api: "OffsetFetch" },
              () =>
                batch.length === 1 && !supports(broker, OFFSET_FETCH, this.#groupBatching)
                  ? offsetFetchOneGroup(broker, batch[0]).then((answer) => [answer])
                  : sendOffsetFetchV8(broker, batch),
            );
          } catch (error) {
            // The coordinator is unreachable or answered an error for the whole request; next
            // iteration looks for it again (an immediate retry could outlast the deadline).
            const explained = asError(explainAuthorization(error));
            for (const groupId of batch) {
              results.set(groupId, { groupId, error: explained });
              if (!(explained instanceof KafkaAuthorizationError)) {
                this.#coordinators.forgetGroup(groupId);
              }
            }
            return;
          }
          for (const { groupId, errorCode, offsets, partitionErrors } of answers) {
            // A group deleted since it was listed has nothing to measure: not worth a warning.
            if (errorCode === 0 || errorCode === GROUP_ID_NOT_FOUND) {
              // A group named twice in one answer (a broker bug) counts once.
              if (results.has(groupId)) continue;
              if (onOffsets) {
                results.set(groupId, { groupId, handedOver: true });
                onOffsets({ groupId, offsets, partitionErrors });
              } else results.set(groupId, { groupId, offsets, partitionErrors });
            } else {failed(groupId, {
                error: groupError(errorCode),
                coordinatorMoved: isCoordinatorError(errorCode),
              });}
          }
          for (const groupId of batch) {
            if (!results.has(groupId) && !retry.has(groupId)) {
              results.set(groupId, {
                groupId,
                error: new Error("missing from the OffsetFetch answer"),
              });
            }
          }
        },
      );
      pending = [...retry];
    }
    return groupIds.map((groupId) =>
      results.get(groupId) ?? { groupId, error: new Error("no coordinator found") }
    );
  }
}

/** kafkajs' OffsetFetch (v4 at most): for brokers without KIP-709. */
async function offsetFetchOneGroup(broker: InternalConnectedBroker, groupId: string) {
  // An empty topic list asks for every partition the group has committed to.
  const response = await broker.offsetFetch({ groupId, topics: [] });
  const offsets: CommittedOffset[] = [];
  for (const topic of response.responses) {
    for (const partition of topic.partitions) {
      offsets.push({
        topic: topic.topic,
        partition: partition.partition,
        offset: Number(partition.offset),
      });
    }
  }
  return { groupId, errorCode: 0, offsets };
}

function sendOffsetFetchV8(broker: InternalConnectedBroker, groupIds: string[]) {
  return sendOwnRequest(broker, {
    api: OFFSET_FETCH,
    body: encodeOffsetFetchV8(groupIds),
    decode: decodeOffsetFetchV8,
  });
}
