import { assertEquals } from "../../tests/assert.ts";
import { type ClusterStatus, logStartLookup } from "../collect/cluster_snapshot.ts";
import { aggregateGroup } from "../lag/aggregate.ts";
import { groupActivity, type GroupReport } from "../lag/group_report.ts";
import { apiResponse } from "./api_v1.ts";
import { createHandler } from "./create_handler.ts";
import { advanceProgress, newProgress } from "../lag/consumer_status.ts";
import { LagTrails } from "../lag/lag_trail.ts";

function group(groupId: string, lag: number): GroupReport {
  return aggregateGroup(groupId, [
    { topic: "orders", partition: 0, committedOffset: 10, endOffset: 10 + lag, lagOffsets: lag },
  ]);
}

const owned = group("a/b", 4);
owned.activity = groupActivity({
  state: "Stable",
  protocol: "consumer",
  members: [{
    memberId: "m-1",
    clientId: "app",
    host: "/10.0.0.1",
    assignment: [{ topic: "orders", partition: 0 }],
  }],
});
owned.status = "WARN";
owned.partitionStatuses = new Uint8Array([1]);
owned.rates = { consumeRate: 2, produceRate: 3 };
// Two readings ten seconds apart: 20 offsets committed, 30 written (2/s and 3/s).
owned.progress = newProgress(1);
for (const [nowMs, committedOffset, lagOffsets] of [[0, 0, 4], [10_000, 20, 14]]) {
  advanceProgress(owned.progress, 0, {
    nowMs,
    previousAtMs: nowMs - 10_000,
    previousCommittedOffset: 0,
    committedOffset,
    lagOffsets,
    rateTimeConstantMs: 60_000,
  });
}
owned.retentionRatio = 0.25;
const trails = new LagTrails(4);
trails.startSample(-10_000);
owned.lagTrail = trails.newTrail();
for (
  const [atMs, sumLagOffsets, maxLagSeconds] of [[-10_000, 2, NaN], [0, 4, 1.5], [5_000, 9, 2]]
) {
  if (atMs > -10_000) trails.startSample(atMs);
  trails.record(owned.lagTrail, { sumLagOffsets, maxLagSeconds });
}

const PARTITION_OFFSETS = [
  { topic: "orders", partition: 0, offset: 14, observedAtMs: 0, logStartOffset: 6 },
];

const statuses: ClusterStatus[] = [
  {
    clusterName: "main",
    up: true,
    iterationErrorsTotal: 0,
    lastSuccessMs: Date.UTC(2026, 10, 28, 12),
    lastDurationSeconds: 0.5,
    snapshot: {
      clusterName: "main",
      groupsChecked: 5,
      startedAtMs: 0,
      completedAtMs: 0,
      // In id order, as collectCluster leaves every snapshot.
      groups: [owned, group("b", 3), group("c", 1), group("d", 2), group("e", 0)],
      partitionOffsets: PARTITION_OFFSETS,
      logStartOffset: logStartLookup(PARTITION_OFFSETS),
    },
  },
  { clusterName: "down", up: false, iterationErrorsTotal: 3, lastError: "refused" },
];

const NO_GAPS = {
  unavailable_partitions: 0,
  carried_end_offsets: 0,
  unlisted_brokers: 0,
  unread_groups: 0,
  carried_groups: 0,
};

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = apiResponse(new URL(`http://x${path}`), {
    clusters: () => statuses,
    iterationIntervalSeconds: 30,
  });
  if (!response) throw new Error(`${path} is not an API path`);
  return { status: response.status, body: await response.json() };
}

Deno.test("GET /api/v1/clusters lists every cluster, up or down", async () => {
  const { status, body } = await get("/api/v1/clusters");
  assertEquals(status, 200);
  assertEquals(body.clusters, [
    {
      name: "main",
      up: true,
      state: "up",
      worst_status: "WARN",
      gaps: NO_GAPS,
      error: null,
      last_success: "2026-11-28T12:00:00.000Z",
      iteration_seconds: 0.5,
      groups_checked: 5,
      groups_measured: 5,
      iteration_interval_seconds: 30,
    },
    {
      name: "down",
      up: false,
      state: "down",
      worst_status: null,
      gaps: NO_GAPS,
      error: "refused",
      last_success: null,
      iteration_seconds: null,
      groups_checked: 0,
      groups_measured: 0,
      iteration_interval_seconds: 30,
    },
  ]);
});

Deno.test("groups are listed in id order, page by page, until next is null", async () => {
  const seen: string[] = [];
  let path: string | null = "/api/v1/clusters/main/groups?limit=2";
  let pages = 0;
  while (path) {
    const { status, body } = await get(path);
    assertEquals(status, 200);
    assertEquals(body.total, 5);
    for (const summary of body.groups as Array<{ group: string }>) seen.push(summary.group);
    path = body.next as string | null;
    pages++;
  }
  assertEquals(seen, ["a/b", "b", "c", "d", "e"]);
  assertEquals(pages, 3);
  const { body } = await get("/api/v1/clusters/main/groups?after=c");
  assertEquals((body.groups as Array<{ group: string }>).map((summary) => summary.group), [
    "d",
    "e",
  ]);
});

Deno.test("a group's document: state, members, status, rates, owner and log start", async () => {
  const { status, body } = await get("/api/v1/clusters/main/groups/a%2Fb");
  assertEquals(status, 200);
  assertEquals(body, {
    cluster: "main",
    group: "a/b",
    state: "Stable",
    protocol: "consumer",
    member_count: 1,
    status: "WARN",
    partition_count: 1,
    partitions: [{
      topic: "orders",
      partition: 0,
      committed: 10,
      latest: 14,
      log_start: 6,
      lag: 4,
      lag_seconds: null,
      lag_seconds_method: null,
      status: "WARN",
      owner: { member_id: "m-1", client_id: "app", host: "/10.0.0.1" },
      consume_rate: 2,
      produce_rate: 3,
      time_to_catch_up_seconds: null,
    }],
    lag: { sum: 4, max: 4, sum_seconds: null, max_seconds: null },
    consume_rate: 2,
    produce_rate: 3,
    time_to_catch_up_seconds: null,
    retention_ratio: 0.25,
    members: [{
      member_id: "m-1",
      instance_id: null,
      client_id: "app",
      host: "/10.0.0.1",
      assignment: [{ topic: "orders", partition: 0 }],
    }],
    // The snapshot completed at 0: the sample taken after it is not its.
    lag_history: [
      { at: "1969-12-31T23:59:50.000Z", lag: 2, lag_seconds: null },
      { at: "1970-01-01T00:00:00.000Z", lag: 4, lag_seconds: 1.5 },
    ],
  });
});

Deno.test("unknown clusters and groups, bad limits and encodings are answered, not thrown", async () => {
  assertEquals((await get("/api/v1/clusters/nope")).status, 404);
  assertEquals((await get("/api/v1/clusters/main/groups/nope")).status, 404);
  assertEquals((await get("/api/v1/clusters/down/groups")).body.groups, []);
  assertEquals((await get("/api/v1/clusters/main/topics")).status, 404);
  assertEquals((await get("/api/v1/clusters/main/groups?limit=0")).status, 400);
  assertEquals((await get("/api/v1/clusters/main/groups?limit=x")).status, 400);
  assertEquals((await get("/api/v1/clusters/%E0%A4%A")).status, 400);
  assertEquals(apiResponse(new URL("http://x/metrics"), { clusters: () => statuses }), undefined);
});

Deno.test("the API is served on the metrics listener only, for GET and HEAD", async () => {
  const deps = {
    renderMetrics: () => Promise.resolve(""),
    health: () => ({ status: "OK" as const, unhealthy_clusters: [] }),
    live: () => true,
    api: (url: URL) => apiResponse(url, { clusters: () => statuses }),
  };
  const metricsPort = createHandler(deps, {
    serveMetrics: true,
    serveHealth: false,
    healthPath: "/health",
  });
  const healthPort = createHandler(deps, {
    serveMetrics: false,
    serveHealth: true,
    healthPath: "/health",
  });
  const url = "http://x/api/v1/clusters";
  assertEquals((await metricsPort(new Request(url))).status, 200);
  assertEquals((await metricsPort(new Request(url, { method: "POST" }))).status, 405);
  assertEquals((await metricsPort(new Request("http://x/api/v2/clusters"))).status, 404);
  assertEquals((await healthPort(new Request(url))).status, 404);
});

Deno.test("every legal group id can be fetched: `group?id=` carries . .. and the empty id", async () => {
  // In id order, as every snapshot keeps its groups.
  const odd = ["", ".", "..", "?#%", "a/b"].map((groupId, index) => group(groupId, index));
  const withOdd: ClusterStatus[] = [{
    ...statuses[0],
    snapshot: { ...statuses[0].snapshot!, groups: odd },
  }];
  for (const groupId of [".", "..", "", "a/b", "?#%"]) {
    const url = new URL("http://x/api/v1/clusters/main/group");
    url.searchParams.set("id", groupId);
    const response = apiResponse(url, { clusters: () => withOdd })!;
    assertEquals(response.status, 200, groupId);
    assertEquals((await response.json()).group, groupId);
  }
  const missing = apiResponse(new URL("http://x/api/v1/clusters/main/group"), {
    clusters: () => withOdd,
  })!;
  assertEquals(missing.status, 400);
});

Deno.test("with the API switched off, /api/v1 is 404 and /metrics still answers", async () => {
  const handler = createHandler({
    renderMetrics: () => Promise.resolve("up 1\n"),
    health: () => ({ status: "OK" as const, unhealthy_clusters: [] }),
    live: () => true,
  }, { serveMetrics: true, serveHealth: false, healthPath: "/health" });
  assertEquals((await handler(new Request("http://x/api/v1/clusters"))).status, 404);
  assertEquals((await handler(new Request("http://x/metrics"))).status, 200);
});

Deno.test("groups sorted, filtered and paged by offset for the status page", async () => {
  const ids = async (path: string) => {
    const { status, body } = await get(path);
    assertEquals(status, 200, path);
    return {
      total: body.total,
      groups: (body.groups as Array<{ group: string }>).map((summary) => summary.group),
      next: body.next,
    };
  };
  const base = "/api/v1/clusters/main/groups";
  const cases: Array<[string, string, { total: number; groups: string[]; next: unknown }]> = [
    ["lag, largest first (the default order of a number)", "?sort=lag", {
      total: 5,
      groups: ["a/b", "b", "d", "c", "e"],
      next: null,
    }],
    ["lag, smallest first", "?sort=lag&order=asc", {
      total: 5,
      groups: ["e", "c", "d", "b", "a/b"],
      next: null,
    }],
    ["status: judged groups first, unknown last whatever the order", "?sort=status&order=asc", {
      total: 5,
      groups: ["a/b", "b", "c", "d", "e"],
      next: null,
    }],
    ["id, descending", "?sort=group&order=desc", {
      total: 5,
      groups: ["e", "d", "c", "b", "a/b"],
      next: null,
    }],
    ["a page of two, with the link to the next", "?sort=lag&limit=2", {
      total: 5,
      groups: ["a/b", "b"],
      next: `${base}?sort=lag&limit=2&offset=2`,
    }],
    ["the second page", "?sort=lag&limit=2&offset=2", {
      total: 5,
      groups: ["d", "c"],
      next: `${base}?sort=lag&limit=2&offset=4`,
    }],
    ["filter, case-insensitive substring of the id", "?q=A%2F&sort=group", {
      total: 1,
      groups: ["a/b"],
      next: null,
    }],
    ["filter alone sorts by id", "?q=b", { total: 2, groups: ["a/b", "b"], next: null }],
    ["offset past the end: an empty page", "?sort=lag&offset=9", {
      total: 5,
      groups: [],
      next: null,
    }],
  ];
  for (const [name, query, expected] of cases) {
    assertEquals(await ids(`${base}${query}`), expected, name);
  }
  for (
    const query of ["?sort=members", "?sort=lag&order=up", "?offset=-1", "?sort=lag&after=b"]
  ) {
    assertEquals((await get(`${base}${query}`)).status, 400, query);
  }
});
