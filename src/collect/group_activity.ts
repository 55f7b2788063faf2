/**
 * What each measured group is doing (state, protocol, members and who owns which partition),
 * read beside the committed offsets. Best effort: a group or a coordinator that cannot be
 * described leaves only that information out; the lag is measured all the same.
 */
import type { GroupListing, KafkaAdmin } from "../kafka/kafka_admin.ts";
import { type GroupActivity, groupActivity } from "../lag/group_report.ts";
import { describeError, type Logger } from "../log/logger.ts";

/** A member whose assignment could not be decoded (logged by the cluster loop once per change). */
export interface MalformedAssignment {
  groupId: string;
  memberId: string;
  detail: string;
}

/**
 * The activity of each group that could be described, by group id; members whose assignment
 * was malformed are kept (without partitions) and listed in `malformed`, groups that could not
 * be described (a coordinator down, an answer that does not decode) in `undescribed`.
 */
export async function describeMeasuredGroups(
  { admin, concurrency, log }: { admin: KafkaAdmin; concurrency: number; log: Logger },
  { listed, groupIds, malformed, undescribed }: {
    listed: readonly GroupListing[];
    groupIds: readonly string[];
    malformed?: MalformedAssignment[];
    /** Where groups that could not be described go (logged once per change by the loop). */
    undescribed?: Array<{ groupId: string; detail: string }>;
  },
): Promise<Map<string, GroupActivity>> {
  const listings = new Map(listed.map((listing) => [listing.groupId, listing]));
  const activities = new Map<string, GroupActivity>();
  let answers;
  try {
    answers = await admin.describeGroups(
      groupIds.map((groupId) => listings.get(groupId) ?? { groupId }),
      concurrency,
    );
  } catch (error) {
    log.warn("group states and members not read in this iteration", {
      error: describeError(error),
    });
    return activities;
  }
  for (const answer of answers) {
    if (answer.error) {
      undescribed?.push({ groupId: answer.groupId, detail: describeError(answer.error) });
      continue;
    }
    for (const member of answer.members) {
      if (member.assignmentError === undefined) continue;
      malformed?.push({
        groupId: answer.groupId,
        memberId: member.memberId,
        detail: member.assignmentError,
      });
    }
    activities.set(
      answer.groupId,
      groupActivity({ state: answer.state, protocol: answer.type, members: answer.members }),
    );
  }
  return activities;
}
