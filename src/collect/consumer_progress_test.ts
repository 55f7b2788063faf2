import { assertEquals } from "../../tests/assert.ts";
import { aggregateGroup } from "../lag/aggregate.ts";
import { groupActivity, type GroupLag } from "../lag/group_lag.ts";
import { ConsumerProgress } from "./consumer_progress.ts";
import { CONSUMER_STATUSES } from "../lag/consumer_status.ts";
import { lagTrailSamples } from "../lag/lag_trail.ts";

/** A group with members and partitions given as [topic, partition, committed, lag]. */
function group(groupId: string, partitions: Array<[string, number, number, number]>): GroupLag {
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
  measured.activity = groupActivity({
    state: "Stable",
    protocol: "classic",
    members: [{ memberId: "m", clientId: "c", host: "h", assignment: [] }],
  });
  return measured;
}

const statusesOf = (measured: GroupLag) =>
  Array.from({ length: measured.partitions.length }, (_, index) => [
    `${measured.partitions.topic(index)}/${measured.partitions.partition(index)}`,
    CONSUMER_STATUSES[measured.partitionStatuses![index]],
  ]);

Deno.test("ConsumerProgress follows partitions by name as they come and go", () => {
  const progress = new ConsumerProgress({ windowMs: 30_000, iterationIntervalMs: 10_000 });
  let latest: GroupLag | undefined;
  for (let seconds = 0; seconds <= 60; seconds += 10) {
    const partitions: Array<[string, number, number, number]> = [
      ["t", 0, 10, 5], // stuck all along
    ];
    // t/1 moves along until it disappears at 30 s and comes back stuck at 50 s.
    if (seconds < 30) partitions.push(["t", 1, 100 + seconds, 2]);
    if (seconds >= 50) partitions.push(["t", 1, 7, 9]);
    // u/0 appears at 40 s, stuck from the start.
    if (seconds >= 40) partitions.push(["u", 0, 3, 4]);
    latest = group("g", partitions);
    progress.advance([latest], seconds * 1_000);
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
    const groups = seconds === 20 ? [] : [group("g", [["t", 0, 10, 5]])];
    progress.advance(groups, seconds * 1_000);
    if (seconds === 40) assertEquals(groups[0].status, "OK"); // seen again since 30 s only
  }
  const stuck = group("g", [["t", 0, 10, 5]]);
  progress.advance([stuck], 70_000);
  assertEquals(stuck.status, "STALL");
  const empty = group("g", [["t", 0, 10, 5]]);
  empty.activity!.members.length = 0;
  progress.advance([empty], 80_000);
  assertEquals(empty.status, "STOP");
});

Deno.test("ConsumerProgress keeps each group's lag over the window for the status page", () => {
  const progress = new ConsumerProgress({ windowMs: 30_000, iterationIntervalMs: 10_000 });
  let latest: GroupLag | undefined;
  for (let seconds = 0; seconds <= 60; seconds += 10) {
    latest = group("g", [["t", 0, 10, seconds], ["t", 1, 10, 1]]);
    progress.advance([latest], seconds * 1_000);
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
