import { assertEquals } from "../../tests/assert.ts";
import { aggregateGroup } from "../lag/aggregate.ts";
import { groupActivity, type GroupReport } from "../lag/group_report.ts";
import { ConsumerProgress } from "./consumer_progress.ts";
import { CONSUMER_STATUSES } from "../lag/consumer_status.ts";
import { lagTrailSamples } from "../lag/lag_trail.ts";

const member = { state: "Stable", protocol: "classic" };

/** A group with members and partitions given as [topic, partition, committed, lag]. */
function group(groupId: string, partitions: Array<[string, number, number, number]>): GroupReport {
  const measured = aggregateGroup(
    groupId,
    partitions.map(([topic, partition, committedOffset, lag]) => ({
      topic,
      partition,
      committedOffset,
      endOffset: committedOffset + lag,
      lagOffsets: lag,
    })),
  );
  return {
    ...measured,
    activity: groupActivity({
      ...member,
      members: [{ memberId: "m", clientId: "c", host: "h", assignment: [] }],
    }),
  };
}

/** The groups with what their progress says, as collectCluster builds them. */
const judged = (
  progress: ConsumerProgress,
  groups: GroupReport[],
  nowMs: number,
): GroupReport[] => {
  const reports = groups.map((group) => ({ ...group }));
  progress.advance(reports, nowMs);
  return reports;
};

const statusesOf = (measured: GroupReport) =>
  Array.from({ length: measured.partitions.length }, (_, index) => [
    `${measured.partitions.topic(index)}/${measured.partitions.partition(index)}`,
    CONSUMER_STATUSES[measured.partitionStatuses![index]],
  ]);

Deno.test("ConsumerProgress follows partitions by name as they come and go", () => {
  const progress = new ConsumerProgress({ windowMs: 30_000, iterationIntervalMs: 10_000 });
  let latest: GroupReport | undefined;
  for (let seconds = 0; seconds <= 60; seconds += 10) {
    const partitions: Array<[string, number, number, number]> = [
      ["t", 0, 10, 5], // stuck all along
    ];
    // t/1 moves along until it disappears at 30 s and comes back stuck at 50 s.
    if (seconds < 30) partitions.push(["t", 1, 100 + seconds, 2]);
    if (seconds >= 50) partitions.push(["t", 1, 7, 9]);
    // u/0 appears at 40 s, stuck from the start.
    if (seconds >= 40) partitions.push(["u", 0, 3, 4]);
    [latest] = judged(progress, [group("g", partitions)], seconds * 1_000);
  }
  assertEquals(statusesOf(latest!), [
    ["t/0", "STALL"],
    ["t/1", "OK"], // back at 50 s: its history starts afresh, no full window yet
    ["u/0", "OK"], // seen since 40 s only
  ]);
  assertEquals(latest!.status, "STALL");
});

Deno.test("ConsumerProgress forgets a group that was not measured", () => {
  const progress = new ConsumerProgress({ windowMs: 30_000, iterationIntervalMs: 10_000 });
  for (let seconds = 0; seconds <= 40; seconds += 10) {
    const groups = judged(
      progress,
      seconds === 20 ? [] : [group("g", [["t", 0, 10, 5]])],
      seconds * 1_000,
    );
    if (seconds === 40) assertEquals(groups[0].status, "OK"); // seen again since 30 s only
  }
  const [stuck] = judged(progress, [group("g", [["t", 0, 10, 5]])], 70_000);
  assertEquals(stuck.status, "STALL");
  const [empty] = judged(
    progress,
    [{ ...group("g", [["t", 0, 10, 5]]), activity: groupActivity({ ...member, members: [] }) }],
    80_000,
  );
  assertEquals(empty.status, "STOP");
});

Deno.test("ConsumerProgress keeps each group's lag over the window for the status page", () => {
  const progress = new ConsumerProgress({ windowMs: 30_000, iterationIntervalMs: 10_000 });
  let latest: GroupReport | undefined;
  for (let seconds = 0; seconds <= 60; seconds += 10) {
    [latest] = judged(
      progress,
      [group("g", [["t", 0, 10, seconds], ["t", 1, 10, 1]])],
      seconds * 1_000,
    );
  }
  // 30 s window, 10 s iterations: the last four iterations.
  const trail = lagTrailSamples(latest!.lagTrail!, { sinceMs: 0, untilMs: 60_000 });
  assertEquals(trail.map(({ atMs, sumLagOffsets }) => [atMs / 1_000, sumLagOffsets]), [
    [30, 31],
    [40, 41],
    [50, 51],
    [60, 61],
  ]);
});

Deno.test("ConsumerProgress gives a gone group's lag trail place to a group that comes later", () => {
  const progress = new ConsumerProgress({ windowMs: 30_000, iterationIntervalMs: 10_000 });
  const [, gone] = judged(
    progress,
    [group("a", [["t", 0, 1, 1]]), group("b", [["t", 0, 1, 1]])],
    0,
  );
  judged(progress, [group("a", [["t", 0, 2, 1]])], 10_000);
  const [, later] = judged(
    progress,
    [group("a", [["t", 0, 3, 1]]), group("c", [["t", 0, 5, 7]])],
    20_000,
  );
  const place = (report: GroupReport) => [report.lagTrail!.values, report.lagTrail!.start];
  assertEquals(place(later), place(gone));
  assertEquals(lagTrailSamples(later.lagTrail!, { sinceMs: 0, untilMs: 20_000 }).length, 1);
});

Deno.test("ConsumerProgress measures rates from the last iteration's offsets, in place or moved", () => {
  const progress = new ConsumerProgress({ windowMs: 30_000, iterationIntervalMs: 10_000 });
  judged(progress, [group("g", [["t", 1, 10, 5]])], 0);
  // Same partitions: advanced in place; 20 committed and 20 written in 10 s.
  const [inPlace] = judged(progress, [group("g", [["t", 1, 30, 5]])], 10_000);
  assertEquals(inPlace.rates?.consumeRate, 2);
  assertEquals(inPlace.rates?.produceRate, 2);
  // A partition before it: the records move, t/1's still compared with its own last offsets.
  const [moved] = judged(progress, [group("g", [["t", 0, 0, 0], ["t", 1, 50, 15]])], 20_000);
  const weight = 1 - Math.exp(-10_000 / 30_000);
  assertEquals(moved.rates?.consumeRate, 2);
  assertEquals(moved.rates?.produceRate, 2 + weight * (3 - 2));
});
