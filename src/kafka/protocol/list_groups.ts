/**
 * ListGroups v4/v5: the state (KIP-518) and type (KIP-848) of every group, which kafkajs 2.2.4
 * cannot ask for. Encoded and decoded by the generic codec from the message's schema.
 */
import { MessageDecoder, RequestEncoder } from "./codec.ts";
import { ListGroupsRequest, ListGroupsResponse } from "./messages/list_groups.ts";

/** One group of a ListGroups answer. */
export interface ListedGroup {
  groupId: string;
  /** "consumer" for consumer groups, "connect" for Connect workers, "" for offset-only groups. */
  protocolType: string;
  state: string;
  /** "classic", "consumer", … (ListGroups v5); undefined before: every group is classic. */
  type?: string;
}

const requests = {
  4: new RequestEncoder(ListGroupsRequest, 4),
  5: new RequestEncoder(ListGroupsRequest, 5),
};
// A group's protocol type, state and type take a few values across thousands of groups: one
// string each per answer instead of one per group.
const intern = ["groups.protocolType", "groups.groupState"];
const responses = {
  4: new MessageDecoder(ListGroupsResponse, { version: 4, intern }),
  5: new MessageDecoder(ListGroupsResponse, {
    version: 5,
    intern: [...intern, "groups.groupType"],
  }),
};

export const LIST_GROUPS_V5 = requests[5].api;
export const LIST_GROUPS_V4 = requests[4].api;

/** ListGroups v4 or v5 body asking for every group (no state or type filter). */
export function encodeListGroups(version: 4 | 5): Uint8Array {
  return requests[version].encode({ statesFilter: [], typesFilter: [] });
}

/** Decodes a ListGroups v4 or v5 answer (after the correlation id). */
export function decodeListGroups(
  payload: Uint8Array,
  version: 4 | 5,
): { errorCode: number; groups: ListedGroup[] } {
  const { errorCode, groups } = responses[version].decode(payload);
  return {
    errorCode,
    groups: groups.map(({ groupId, protocolType, groupState, groupType }) => ({
      groupId,
      protocolType,
      state: groupState,
      type: version >= 5 ? groupType : undefined,
    })),
  };
}
