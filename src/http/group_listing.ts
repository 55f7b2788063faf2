/**
 * Sorting, filtering and paging a cluster's groups for GET /api/v1/clusters/{cluster}/groups:
 * what the status page needs to show 10,000 groups a page at a time, worst first, without
 * downloading them all.
 */
import { CONSUMER_STATUSES } from "../lag/consumer_status.ts";
import type { GroupReport } from "../lag/group_report.ts";

/** The orders the list can be sorted in. */
export const GROUP_SORT_KEYS = [
  "group",
  "lag",
  "lag_seconds",
  "status",
  "consume_rate",
  "time_to_catch_up",
] as const;
export type GroupSortKey = typeof GROUP_SORT_KEYS[number];

/** A parsed listing request. */
export interface GroupListing {
  sort: GroupSortKey;
  descending: boolean;
  /** Case-insensitive substring of the group id; empty: every group. */
  filter: string;
  offset: number;
  limit: number;
}

/** Reads `sort`, `order`, `q` and `offset` (with the page size given); a message when invalid. */
export function parseGroupListing(
  params: URLSearchParams,
  { limit }: { limit: number },
): GroupListing | string {
  const sort = params.get("sort") ?? "group";
  if (!(GROUP_SORT_KEYS as readonly string[]).includes(sort)) {
    return `sort must be one of ${GROUP_SORT_KEYS.join(", ")}`;
  }
  const order = params.get("order") ?? (sort === "group" ? "asc" : "desc");
  if (order !== "asc" && order !== "desc") return "order must be asc or desc";
  const offsetText = params.get("offset") ?? "0";
  const offset = Number(offsetText);
  if (!Number.isInteger(offset) || offset < 0) return "offset must be a non-negative integer";
  const filter = (params.get("q") ?? "").toLowerCase();
  if (filter.length > 256) return "q is at most 256 characters";
  return { sort: sort as GroupSortKey, descending: order === "desc", filter, offset, limit };
}

/** The page asked for and how many groups matched the filter. */
export function listGroups(
  groups: readonly GroupReport[],
  listing: GroupListing,
): { total: number; page: GroupReport[] } {
  const matching = listing.filter === ""
    ? groups.slice()
    : groups.filter((group) => group.groupId.toLowerCase().includes(listing.filter));
  const value = SORT_VALUES[listing.sort];
  const direction = listing.descending ? -1 : 1;
  matching.sort((a, b) => {
    const left = value(a);
    const right = value(b);
    // Unknown values go last whichever the order, then ties by id so pages are stable.
    const leftKnown = left !== undefined && !Number.isNaN(left);
    const rightKnown = right !== undefined && !Number.isNaN(right);
    if (leftKnown !== rightKnown) return leftKnown ? -1 : 1;
    if (leftKnown && left !== right) return left! < right! ? -direction : direction;
    if (a.groupId === b.groupId) return 0;
    return (a.groupId < b.groupId ? -1 : 1) * (listing.sort === "group" ? direction : 1);
  });
  return {
    total: matching.length,
    page: matching.slice(listing.offset, listing.offset + listing.limit),
  };
}

const statusRank = (group: GroupReport) =>
  group.status === undefined ? undefined : CONSUMER_STATUSES.indexOf(group.status);

const SORT_VALUES: Record<GroupSortKey, (group: GroupReport) => number | undefined> = {
  group: () => 0,
  lag: (group) => group.total?.sumLagOffsets,
  lag_seconds: (group) => group.total?.maxLagSeconds,
  status: statusRank,
  consume_rate: (group) => group.rates?.consumeRate,
  time_to_catch_up: (group) => group.rates?.catchUpSeconds,
};
