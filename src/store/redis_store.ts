/**
 * Offset history in Redis, shared by every instance. Each Kafka cluster's partitions are spread
 * over 16 hash keys ("shards", each with its own hash tag so Redis Cluster spreads them over its
 * nodes); a Lua script merges an iteration's observations into one shard atomically, so several
 * instances writing the same partition never lose each other's points. One iteration costs one
 * pipelined round trip of at most 16 EVALSHA per cluster.
 *
 * The script mirrors mergeObservation() of src/lag/offset_history.ts; the shared contract suite
 * (tests/contracts) runs the same cases against both.
 */
import { hash53 } from "../util/hash53.ts";
import { DEFAULT_MAX_POINTS } from "../lag/offset_history.ts";
import type { OffsetObservation } from "../lag/lag_values.ts";
import type { OffsetHistoryStore, PartitionObservation } from "./offset_history_store.ts";
import type { RedisClient } from "../redis/redis_client.ts";

const SHARDS = 16;
/** Every this many calls per shard, fields of partitions unseen for a retention are swept. */
const SWEEP_EVERY = 60;

// Times are stored in Redis' clock: each call passes the instance's "now", and the script shifts
// the observations by (Redis now − instance now) before merging, and returns that shift so the
// instance can read the history back in its own clock. Instances whose clocks disagree then still
// write one consistent history (a point "seen later" by a clock that runs ahead would otherwise
// reorder the history or reset it).
const MERGE_SCRIPT = `
local retention = tonumber(ARGV[1])
local maxPoints = tonumber(ARGV[2])
local sweep = ARGV[3] == "1"
local clock = redis.call("TIME")
local shift = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) - tonumber(ARGV[4])
-- The shift this instance used before, kept while it still holds within a second: round-trip
-- jitter must not move points that were already written.
local previous = tonumber(ARGV[5])
if previous and math.abs(previous - shift) < 1000 then shift = previous end

local function decode(text)
  local points = {}
  if text then
    for offset, time in string.gmatch(text, "(-?%d+),(-?%d+)") do
      points[#points + 1] = { tonumber(offset), tonumber(time) }
    end
  end
  return points
end

local function encode(points)
  local parts = {}
  for index, point in ipairs(points) do
    parts[index] = string.format("%.0f,%.0f", point[1], point[2])
  end
  return table.concat(parts, ";")
end

local function normalize(points)
  local kept = {}
  for _, point in ipairs(points) do
    while #kept > 0 and kept[#kept][2] > point[2] do kept[#kept] = nil end
    local last = kept[#kept]
    local beforeLast = kept[#kept - 1]
    if last and last[1] == point[1] and last[2] == point[2] then
      -- an exact duplicate
    elseif last and beforeLast and last[1] == point[1] and beforeLast[1] == point[1] then
      kept[#kept] = { point[1], point[2] }
    else
      kept[#kept + 1] = { point[1], point[2] }
    end
  end
  return kept
end

local function removalError(before, point, after)
  local span = after[1] - before[1]
  local estimate = before[2]
  if span ~= 0 then estimate = before[2] + (point[1] - before[1]) * (after[2] - before[2]) / span end
  return math.abs(point[2] - estimate)
end

local function merge(points, offset, time)
  local count = #points
  if count == 0 or (offset < points[count][1] and time > points[count][2]) then
    return { { offset, time } }
  end
  local inserted = {}
  local placed = false
  for _, point in ipairs(points) do
    if not placed and (offset < point[1] or (offset == point[1] and time < point[2])) then
      inserted[#inserted + 1] = { offset, time }
      placed = true
    end
    inserted[#inserted + 1] = point
  end
  if not placed then inserted[#inserted + 1] = { offset, time } end
  local merged = normalize(inserted)
  local cutoff = time - retention
  local newest = merged[#merged][1]
  local first = nil
  for index, point in ipairs(merged) do
    if point[2] >= cutoff or point[1] == newest then
      first = index
      break
    end
  end
  if first and first > 1 then
    local pruned = {}
    for index = first, #merged do pruned[#pruned + 1] = merged[index] end
    merged = pruned
  end
  local limit = math.max(2, maxPoints)
  while #merged > limit do
    local cheapest, cheapestError = 2, math.huge
    for index = 2, #merged - 1 do
      local err = removalError(merged[index - 1], merged[index], merged[index + 1])
      if err < cheapestError then
        cheapestError = err
        cheapest = index
      end
    end
    table.remove(merged, cheapest)
  end
  return merged
end

local out = { string.format("%.0f", shift) }
local newestTime = 0
for index = 6, #ARGV, 3 do
  local field = ARGV[index]
  local time = tonumber(ARGV[index + 2]) + shift
  if time > newestTime then newestTime = time end
  local encoded = encode(merge(decode(redis.call("HGET", KEYS[1], field)), tonumber(ARGV[index + 1]), time))
  redis.call("HSET", KEYS[1], field, encoded)
  out[#out + 1] = encoded
end
if sweep then
  local all = redis.call("HGETALL", KEYS[1])
  for index = 1, #all, 2 do
    local last = string.match(all[index + 1], "(-?%d+)$")
    if last and tonumber(last) < newestTime - retention then redis.call("HDEL", KEYS[1], all[index]) end
  end
end
redis.call("PEXPIRE", KEYS[1], retention)
return out
`;

/** Settings of the Redis store. */
export interface RedisStoreOptions {
  keyPrefix: string;
  retentionMs: number;
  maxPoints?: number;
  /** This instance's clock, in which observations are given and histories returned. */
  now?: () => number;
}

type MergeCommand = (key: string, ...args: string[]) => Promise<string[]>;

/** The shared offset history. */
export class RedisOffsetHistoryStore implements OffsetHistoryStore {
  readonly #client: RedisClient;
  readonly #options: Required<RedisStoreOptions>;
  readonly #calls = new Map<string, number>();
  /** Per shard: Redis' clock minus ours, as the merge script measured and used it. */
  readonly #clockShiftMs = new Map<string, number>();

  constructor(client: RedisClient, options: RedisStoreOptions) {
    this.#client = client;
    this.#options = { maxPoints: DEFAULT_MAX_POINTS, now: Date.now, ...options };
    client.defineCommand("kafkaLagMergeHistory", { numberOfKeys: 1, lua: MERGE_SCRIPT });
  }

  /** The hash key of one shard of a Kafka cluster's history. */
  shardKey(clusterName: string, shard: number): string {
    return `{${this.#options.keyPrefix}:${clusterName}:${shard}}:offset-history`;
  }

  async recordAndRead(
    clusterName: string,
    observations: readonly PartitionObservation[],
  ): Promise<OffsetObservation[][]> {
    const byShard = new Map<number, number[]>();
    observations.forEach((observation, index) => {
      const shard = hash53(fieldOf(observation)) % SHARDS;
      const list = byShard.get(shard);
      if (list) list.push(index);
      else byShard.set(shard, [index]);
    });
    const merge = (this.#client as unknown as { kafkaLagMergeHistory: MergeCommand })
      .kafkaLagMergeHistory.bind(
        this.#client,
      );
    const histories = new Array<OffsetObservation[]>(observations.length);
    // Issued together: ioredis pipelines them (per node in Redis Cluster) into one round trip.
    await Promise.all([...byShard].map(async ([shard, indexes]) => {
      const key = this.shardKey(clusterName, shard);
      const calls = (this.#calls.get(key) ?? 0) + 1;
      this.#calls.set(key, calls);
      const args = [
        String(this.#options.retentionMs),
        String(this.#options.maxPoints),
        calls % SWEEP_EVERY === 0 ? "1" : "0",
        String(Math.round(this.#options.now())),
        String(this.#clockShiftMs.get(key) ?? ""),
      ];
      for (const index of indexes) {
        const observation = observations[index];
        args.push(
          fieldOf(observation),
          String(observation.offset),
          String(Math.round(observation.timestampMs)),
        );
      }
      const [shift, ...encoded] = await merge(key, ...args);
      this.#clockShiftMs.set(key, Number(shift));
      indexes.forEach((observationIndex, position) =>
        histories[observationIndex] = decodeHistory(encoded[position], -Number(shift))
      );
    }));
    return histories;
  }

  /** The client belongs to the caller (membership shares it). */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function fieldOf(observation: PartitionObservation): string {
  return `${observation.topic}\u0000${observation.partition}`;
}

/** Parses the script's "offset,time;offset,time" encoding, adding `shiftMs` to every time. */
export function decodeHistory(encoded: string, shiftMs = 0): OffsetObservation[] {
  if (!encoded) return [];
  return encoded.split(";").map((pair) => {
    const [offset, timestampMs] = pair.split(",");
    return { offset: Number(offset), timestampMs: Number(timestampMs) + shiftMs };
  });
}
