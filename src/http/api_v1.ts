/**
 * The read-only JSON API on the metrics port, served from the last completed snapshots (the same
 * groups /metrics shows, after filters and work sharing):
 *   GET /api/v1/clusters
 *   GET /api/v1/clusters/{cluster}
 *   GET /api/v1/clusters/{cluster}/groups?limit=500&after={group}   (paged by group id)
 *   GET /api/v1/clusters/{cluster}/groups?sort=lag_seconds&order=desc&q=orders&offset=0&limit=100
 *   GET /api/v1/clusters/{cluster}/groups/{group}
 *   GET /api/v1/clusters/{cluster}/group?id={group}   (any id, "." and ".." and "" included)
 * Path segments are URL-decoded (a group named "a/b" is "a%2Fb"). docs/api.md has examples.
 */
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import type { GroupReport } from "../lag/group_report.ts";
import { clusterDocument, groupDocument, groupSummary } from "../export/group_document.ts";
import { listGroups, parseGroupListing } from "./group_listing.ts";

const PREFIX = "/api/v1/clusters";
const DEFAULT_PAGE = 500;
const MAX_PAGE = 5_000;

/** The answer to an API request, or undefined when the path is not the API's. */
export function apiResponse(
  url: URL,
  { clusters, iterationIntervalSeconds }: {
    clusters(): readonly ClusterStatus[];
    /** Told with each cluster, so that a reader (the status page) refreshes in step. */
    iterationIntervalSeconds?: number;
  },
): Response | undefined {
  if (url.pathname !== PREFIX && !url.pathname.startsWith(`${PREFIX}/`)) return undefined;
  let segments: string[];
  try {
    segments = url.pathname.slice(PREFIX.length).split("/").filter((part) => part !== "")
      .map(decodeURIComponent);
  } catch {
    return problem(400, "malformed percent-encoding in the path");
  }
  const statuses = clusters();
  const describe = (status: ClusterStatus) => ({
    ...clusterDocument(status),
    iteration_interval_seconds: iterationIntervalSeconds ?? null,
  });
  if (segments.length === 0) return Response.json({ clusters: statuses.map(describe) });
  const status = statuses.find((candidate) => candidate.clusterName === segments[0]);
  if (!status) return problem(404, `no cluster named ${JSON.stringify(segments[0])}`);
  if (segments.length === 1) return Response.json(describe(status));
  // Sorted by group id as every snapshot keeps them: pages and lookups by binary search.
  const groups = status.snapshot?.groups ?? [];
  // Any legal group id, even those a path cannot carry (".", "..", ""): `group?id=`.
  if (segments[1] === "group" && segments.length === 2) {
    const groupId = url.searchParams.get("id");
    if (groupId === null) return problem(400, "the group id is the query parameter id");
    return groupAnswer(status, { groups, groupId });
  }
  if (segments[1] !== "groups" || segments.length > 3) return problem(404, "not found");
  if (segments.length === 3) return groupAnswer(status, { groups, groupId: segments[2] });
  const limitText = url.searchParams.get("limit");
  const limit = limitText === null ? DEFAULT_PAGE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    return problem(400, `limit must be an integer from 1 to ${MAX_PAGE}`);
  }
  if (["sort", "order", "q", "offset"].some((name) => url.searchParams.has(name))) {
    return sortedPage(url, { status, groups, limit });
  }
  const after = url.searchParams.get("after");
  const start = after === null ? 0 : firstAfter(groups, after);
  const page = groups.slice(start, start + limit);
  const more = start + limit < groups.length;
  const next = new URL(url);
  next.searchParams.set("after", page.at(-1)?.groupId ?? "");
  next.searchParams.set("limit", String(limit));
  return Response.json({
    cluster: status.clusterName,
    total: groups.length,
    groups: page.map(groupSummary),
    next: more ? `${next.pathname}${next.search}` : null,
  });
}

/** A page of the groups sorted, filtered and paged by offset (the status page's table). */
function sortedPage(
  url: URL,
  { status, groups, limit }: { status: ClusterStatus; groups: GroupReport[]; limit: number },
): Response {
  if (url.searchParams.has("after")) return problem(400, "after pages by id: not with sort or q");
  const listing = parseGroupListing(url.searchParams, { limit });
  if (typeof listing === "string") return problem(400, listing);
  const { total, page } = listGroups(groups, listing);
  const next = new URL(url);
  next.searchParams.set("offset", String(listing.offset + limit));
  next.searchParams.set("limit", String(limit));
  return Response.json({
    cluster: status.clusterName,
    total,
    offset: listing.offset,
    groups: page.map(groupSummary),
    next: listing.offset + limit < total ? `${next.pathname}${next.search}` : null,
  });
}

function groupAnswer(
  status: ClusterStatus,
  { groups, groupId }: { groups: GroupReport[]; groupId: string },
): Response {
  const group = findGroup(groups, groupId);
  if (!group) {
    return problem(404, `no group ${JSON.stringify(groupId)} measured on ${status.clusterName}`);
  }
  return Response.json({ cluster: status.clusterName, ...groupDocument(group, status.snapshot) });
}

function problem(status: number, detail: string): Response {
  return Response.json({ error: detail }, { status });
}

/** The index of the first group whose id sorts after `groupId`. */
function firstAfter(groups: readonly GroupReport[], groupId: string): number {
  let low = 0;
  let high = groups.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (groups[middle].groupId <= groupId) low = middle + 1;
    else high = middle;
  }
  return low;
}

function findGroup(groups: readonly GroupReport[], groupId: string): GroupReport | undefined {
  const index = firstAfter(groups, groupId) - 1;
  return index >= 0 && groups[index].groupId === groupId ? groups[index] : undefined;
}
