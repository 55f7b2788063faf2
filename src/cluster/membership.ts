/**
 * Instance membership in Redis: each instance registers its node id with an expiry computed from
 * Redis server time (not local clocks), refreshes it with heartbeats, and reads the live set.
 * A random token per process tells "my own stale registration" from "another live instance
 * with my node id".
 */
import type { RedisClient } from "../store/redis_client.ts";

const MEMBERSHIP_SCRIPT = `
local clock = redis.call("TIME")
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local expired = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", now)
if #expired > 0 then
  redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
  for _, node in ipairs(expired) do redis.call("HDEL", KEYS[2], node) end
end
local mode, node, token, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if mode == "leave" then
  if redis.call("HGET", KEYS[2], node) == token then
    redis.call("ZREM", KEYS[1], node)
    redis.call("HDEL", KEYS[2], node)
  end
  return { "ok" }
end
if mode == "beat" then
  local holder = redis.call("HGET", KEYS[2], node)
  if holder and holder ~= token then return { "conflict" } end
  redis.call("HSET", KEYS[2], node, token)
  redis.call("ZADD", KEYS[1], now + ttl, node)
end
local live = redis.call("ZRANGEBYSCORE", KEYS[1], now, "+inf")
table.insert(live, 1, "ok")
return live
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
}

type MembershipCommand = (
  zsetKey: string,
  tokensKey: string,
  ...args: string[]
) => Promise<string[]>;

/** This instance's membership; every call also refreshes the live set it returns. */
export class RedisMembership {
  readonly #client: RedisClient;
  readonly #options: MembershipOptions;
  readonly #token = crypto.randomUUID();
  #live: string[];

  constructor(client: RedisClient, options: MembershipOptions) {
    this.#client = client;
    this.#options = options;
    // Until Redis answers, this instance only knows itself.
    this.#live = [options.nodeId];
    client.defineCommand("kafkaLagMembership", { numberOfKeys: 2, lua: MEMBERSHIP_SCRIPT });
  }

  /** This instance's node id. */
  get nodeId(): string {
    return this.#options.nodeId;
  }

  /** The last live set read (sorted); the last known one while Redis is unreachable. */
  liveNodes(): string[] {
    return this.#live;
  }

  /**
   * Registers. A registration of the same node id by another process may be this node's own,
   * left by a crash: it is waited out (one TTL) before giving up with DuplicateNodeError.
   */
  async join(
    sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
  ): Promise<void> {
    const deadline = Date.now() + this.#options.ttlMs + 1_000;
    for (;;) {
      try {
        await this.heartbeat();
        return;
      } catch (error) {
        if (!(error instanceof DuplicateNodeError) || Date.now() > deadline) throw error;
        await sleep(Math.min(500, this.#options.ttlMs / 4));
      }
    }
  }

  /** Refreshes the registration and returns the live set; DuplicateNodeError if another holds the id. */
  async heartbeat(): Promise<string[]> {
    return await this.#run("beat");
  }

  /** Reads the live set without registering. */
  async readLive(): Promise<string[]> {
    return await this.#run("read");
  }

  /** Deregisters at once, so the others take this instance's groups on their next iteration. */
  async leave(): Promise<void> {
    await this.#run("leave");
  }

  async #run(mode: "beat" | "read" | "leave"): Promise<string[]> {
    const command = (this.#client as unknown as { kafkaLagMembership: MembershipCommand })
      .kafkaLagMembership
      .bind(this.#client);
    const prefix = this.#options.keyPrefix;
    const [status, ...live] = await command(
      `{${prefix}}:members`,
      `{${prefix}}:member-tokens`,
      mode,
      this.#options.nodeId,
      this.#token,
      String(this.#options.ttlMs),
    );
    if (status === "conflict") throw new DuplicateNodeError(this.#options.nodeId);
    if (mode !== "leave") this.#live = live.sort();
    return this.#live;
  }
}
