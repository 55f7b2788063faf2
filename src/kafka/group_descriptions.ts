/**
 * Group listings with state and type (ListGroups v5/v4, kafkajs' ListGroups on older brokers) and
 * group members (DescribeGroups v4 for classic groups, ConsumerGroupDescribe v0 for KIP-848
 * ones), many groups per request to their coordinator.
 */
import {
  type GroupDescription,
  type GroupListing,
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
  CONSUMER_GROUP_DESCRIBE,
  decodeConsumerGroupDescribeV0,
  decodeDescribeGroupsV4,
  DESCRIBE_GROUPS,
  type DescribedGroup,
  encodeConsumerGroupDescribeV0,
  encodeDescribeGroupsV4,
} from "./protocol/describe_groups.ts";
import {
  decodeListGroups,
  encodeListGroups,
  LIST_GROUPS_V4,
  LIST_GROUPS_V5,
} from "./protocol/list_groups.ts";
import { GROUP_ID_NOT_FOUND, isCoordinatorError } from "./protocol/error_codes.ts";
import type { GroupCoordinators } from "./group_coordinators.ts";
import { mapConcurrent } from "../util/map_concurrent.ts";

/** Groups per DescribeGroups / ConsumerGroupDescribe request (answers grow with members). */
const MAX_GROUPS_PER_DESCRIBE = 500;

/** States in which a group has no member: nothing to ask. */
const MEMBERLESS_STATES = new Set(["Empty", "Dead"]);

/**
 * The groups one broker coordinates, with state and type where the broker tells (ListGroups
 * v5, else v4, else kafkajs' version without either). Share groups are left out: they commit no
 * offsets, and their progress is not a consumer lag.
 */
export async function listGroupsOn(broker: InternalConnectedBroker): Promise<GroupListing[]> {
  const version = supports(broker, LIST_GROUPS_V5) ? 5 : supports(broker, LIST_GROUPS_V4) ? 4 : 0;
  if (version === 0) {
    const { groups } = await broker.listGroups();
    return groups.map(({ groupId }) => ({ groupId }));
  }
  const answer = await sendOwnRequest(broker, {
    api: version === 5 ? LIST_GROUPS_V5 : LIST_GROUPS_V4,
    body: encodeListGroups(version),
    decode: (payload) => decodeListGroups(payload, version),
  });
  if (answer.errorCode !== 0) throw groupError(answer.errorCode);
  return answer.groups
    .filter((group) => group.type !== "share")
    .map(({ groupId, state, type }) => ({ groupId, state, type }));
}

/** One request's worth of groups for one coordinator. */
interface DescribeBatch {
  nodeId: string;
  kip848: boolean;
  groupIds: string[];
}

/** See KafkaAdmin.describeGroups. */
export async function describeGroups(
  context: AdminContext,
  { groups, concurrency, coordinators }: {
    groups: readonly GroupListing[];
    concurrency: number;
    coordinators: GroupCoordinators;
  },
): Promise<GroupDescription[]> {
  const results = new Map<string, GroupDescription>();
  const listings = new Map<string, GroupListing>();
  for (const group of groups) {
    const type = group.type ?? "classic";
    // Share and streams groups have their own describe requests, not asked for here.
    const describable = type === "classic" || type === "consumer";
    if (MEMBERLESS_STATES.has(group.state ?? "") || !describable) {
      results.set(group.groupId, {
        groupId: group.groupId,
        state: group.state ?? "Unknown",
        type,
        members: [],
      });
    } else listings.set(group.groupId, group);
  }
  const byCoordinator = await coordinators.lookUp(context, {
    groupIds: [...listings.keys()],
    concurrency,
    failed: (groupId, error) => results.set(groupId, { groupId, error }),
  });
  const batches: DescribeBatch[] = [];
  for (const [nodeId, groupIds] of byCoordinator) {
    for (const kip848 of [false, true]) {
      const ofType = groupIds.filter((groupId) =>
        (listings.get(groupId)?.type === "consumer") === kip848
      );
      for (let start = 0; start < ofType.length; start += MAX_GROUPS_PER_DESCRIBE) {
        batches.push({
          nodeId,
          kip848,
          groupIds: ofType.slice(start, start + MAX_GROUPS_PER_DESCRIBE),
        });
      }
    }
  }
  await mapConcurrent({ items: batches, concurrency }, async (batch) => {
    const api = batch.kip848 ? CONSUMER_GROUP_DESCRIBE : DESCRIBE_GROUPS;
    let answers: DescribedGroup[];
    try {
      answers = await askBroker(context, { nodeId: batch.nodeId, api: api.name }, (broker) => {
        if (!supports(broker, api)) {
          throw new Error(`the coordinator does not support ${api.name} v${api.version}`);
        }
        return sendOwnRequest(broker, {
          api,
          body: batch.kip848
            ? encodeConsumerGroupDescribeV0(batch.groupIds)
            : encodeDescribeGroupsV4(batch.groupIds),
          decode: batch.kip848 ? decodeConsumerGroupDescribeV0 : decodeDescribeGroupsV4,
        });
      });
    } catch (error) {
      const explained = asError(explainAuthorization(error));
      for (const groupId of batch.groupIds) {
        results.set(groupId, { groupId, error: explained });
        if (!(explained instanceof KafkaAuthorizationError)) coordinators.forgetGroup(groupId);
      }
      return;
    }
    const type = batch.kip848 ? "consumer" : "classic";
    for (const { groupId, errorCode, state, members } of answers) {
      if (errorCode === 0) results.set(groupId, { groupId, state, type, members });
      else if (errorCode === GROUP_ID_NOT_FOUND) {
        // Deleted since it was listed (or converted to the other protocol meanwhile).
        results.set(groupId, { groupId, state: "Dead", type, members: [] });
      } else {
        if (isCoordinatorError(errorCode)) coordinators.forgetGroup(groupId);
        results.set(groupId, { groupId, error: groupError(errorCode) });
      }
    }
  });
  return groups.map(({ groupId }) =>
    results.get(groupId) ?? { groupId, error: new Error(`missing from the describe answer`) }
  );
}
