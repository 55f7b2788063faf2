/**
 * Instance membership in Redis: each instance registers its node id with an expiry computed from
 * Redis server time (not local clocks), refreshes it with heartbeats, and reads the live set.
 * A random token per process tells "my own stale registration" from "another live instance
 * with my node id". Each heartbeat also publishes what the instance exports (handover.ts) and
 * reads what the others export.
 */
import type { RedisClient } from "../redis/redis_client.ts";

const MEMBERSHIP_SCRIPT = `
local clock = redis.call("TIME")
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local expired = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", now)
if #expired > 0 then
  redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
  for _, node in ipairs(expired) do
    redis.call("HDEL", KEYS[2], node)
    redis.call("HDEL", KEYS[3], node)
  end
end
local mode, node, token, ttl, exports = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
if mode == "leave" then
  if redis.call("HGET", KEYS[2], node) == token then
    redis.call("ZREM", KEYS[1], node)
    redis.call("HDEL", KEYS[2], node)
    redis.call("HDEL", KEYS[3], node)
  end
  return { "ok", 0 }
end
local status = "ok"
if mode == "beat" then
  local holder = redis.call("HGET", KEYS[2], node)
  if holder and holder ~= token then return { "conflict", 0 } end
  if not holder then status = "registered" end
  redis.call("HSET", KEYS[2], node, token)
  redis.call("ZADD", KEYS[1], now + ttl, node)
  redis.call("HSET", KEYS[3], node, exports)
end
local live = redis.call("ZRANGEBYSCORE", KEYS[1], now, "+inf")
local reply = { status, #live }
for _, member in ipairs(live) do table.insert(reply, member) end
if #live > 0 then
  for _, exported in ipairs(redis.call("HMGET", KEYS[3], unpack(live))) do
    table.insert(reply, exported)
  end
end
return reply
`;

/** Another live instance has registered the same node id. */
export class DuplicateNodeError extends Error {
  constructor(nodeId: string) {
    super(
      `another live instance is registered with node_id "${nodeId}"; give every instance its own app.node_id`,
    );
    this.name = "DuplicateNodeError";
  }
}

/** Membership settings. */
export interface MembershipOptions {
  keyPrefix: string;
  nodeId: string;
  /** A registration expires this long after its last heartbeat. */
  ttlMs: number;
  /** The local clock (default Date.now): only for how long a live set read is reused. */
  now?: () => number;
}

type MembershipCommand = (
  zsetKey: string,
  tokensKey: string,
  exportsKey: string,
  ...args: string[]
) => Promise<[string, number, ...Array<string | null>]>;

/** This instance's membership; every call also refreshes the live set it returns. */
export class RedisMembership {
  readonly #client: RedisClient;
  readonly #options: MembershipOptions;
  readonly #token = crypto.randomUUID();
  readonly #now: () => number;
  #live: string[];
  /** What each live instance said it exports (null: nothing said since Redis lost its data). */
  #exports = new Map<string, string | null>();
  /** What this instance exports, sent with every heartbeat. */
  #ownExports = "{}";
  #registeredOnce = false;
  /** After Redis lost the registrations: the live set from before, kept for one TTL. */
  #held: { live: string[]; untilMs: number } | undefined;

  constructor(client: RedisClient, options: MembershipOptions) {
    this.#client = client;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    // Until Redis answers, this instance only knows itself.
    this.#live = [options.nodeId];
    client.defineCommand("kafkaLagMembership", { numberOfKeys: 3, lua: MEMBERSHIP_SCRIPT });
  }

  /** This instance's node id. */
  get nodeId(): string {
    return this.#options.nodeId;
  }

  /**
   * The last live set read (sorted); the last known one while Redis is unreachable. For one TTL
   * after Redis lost the registrations (a restart without persistence), also the instances live
   * before: they re-register within a TTL, and until then their groups must not look free.
   */
  liveNodes(): string[] {
    const held = this.#held;
    if (!held || this.#now() >= held.untilMs) return this.#live;
    return [...new Set([...held.live, ...this.#live])].sort();
  }

  /** What `nodeId` said it exports, as it was sent (null: unknown). */
  exportsOf(nodeId: string): string | null {
    return this.#exports.get(nodeId) ?? null;
  }

  /** Sets what this instance exports; sent with the next heartbeat. */
  setExports(exports: string): void {
    this.#ownExports = exports;
  }

  /**
   * Registers. A registration of the same node id by another process may be this node's own,
   * left by a crash: it is waited out (one TTL) before giving up with DuplicateNodeError.
   */
  async join(
    sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
  ): Promise<void> {
    const deadline = this.#now() + this.#options.ttlMs + 1_000;
    for (;;) {
      try {
        await this.heartbeat();
        return;
      } catch (error) {
        if (!(error instanceof DuplicateNodeError) || this.#now() > deadline) throw error;
        await sleep(Math.min(500, this.#options.ttlMs / 4));
      }
    }
  }

  /** Refreshes the registration and returns the live set; DuplicateNodeError if another holds the id. */
  async heartbeat(): Promise<string[]> {
    return await this.#run("beat");
  }

  /** Deregisters at once, so the others take this instance's groups on their next iteration. */
  async leave(): Promise<void> {
    await this.#run("leave");
  }

  async #run(mode: "beat" | "leave"): Promise<string[]> {
    const command = (this.#client as unknown as { kafkaLagMembership: MembershipCommand })
      .kafkaLagMembership
      .bind(this.#client);
    const prefix = this.#options.keyPrefix;
    const [status, count, ...rest] = await command(
      `{${prefix}}:members`,
      `{${prefix}}:member-tokens`,
      `{${prefix}}:member-exports`,
      mode,
      this.#options.nodeId,
      this.#token,
      String(this.#options.ttlMs),
      this.#ownExports,
    );
    if (status === "conflict") throw new DuplicateNodeError(this.#options.nodeId);
    if (mode === "leave") return this.#live;
    const live = rest.slice(0, count) as string[];
    const exports = rest.slice(count);
    if (status === "registered" && this.#registeredOnce) {
      // Registered before, yet gone: Redis lost its data, or this instance was cut off longer
      // than a TTL. The others re-register within a TTL; until then, keep counting them.
      this.#held = { live: this.liveNodes(), untilMs: this.#now() + this.#options.ttlMs };
    }
    if (mode === "beat") this.#registeredOnce = true;
    this.#exports = new Map(live.map((node, index) => [node, exports[index] ?? null]));
    this.#live = live.sort();
    return this.liveNodes();
  }
}
