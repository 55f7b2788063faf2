/**
 * The broker-only floor of one iteration (bench:scale): the requests an iteration sends — ListGroups,
 * OffsetFetch in batches of 500 groups with `concurrency` in flight, one ListOffsets for every
 * partition — written in advance, sent over one connection to a single broker and answered; the
 * answers are framed and dropped, nothing decoded or computed. An iteration cannot be faster than
 * this against the same broker, so the benchmark reports how far above it the exporter is.
 */
import { encodeOffsetFetchV8, OFFSET_FETCH } from "../../src/kafka/protocol/offset_fetch.ts";
import { encodeListGroups, LIST_GROUPS_V5 } from "../../src/kafka/protocol/list_groups.ts";
import { encodeListOffsetsV4, LIST_OFFSETS } from "../../src/kafka/protocol/list_offsets.ts";

const GROUPS_PER_OFFSET_FETCH = 500;
const CLIENT_ID = new TextEncoder().encode("bench-floor");

/** A request frame: size, classic header (api key, version, correlation id, client id), body. */
// arity-ok: the three parts of a frame, called once per request written in advance
function frame(api: { apiKey: number; version: number }, correlationId: number, body: Uint8Array) {
  const bytes = new Uint8Array(4 + 2 + 2 + 4 + 2 + CLIENT_ID.length + body.length);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, bytes.length - 4);
  view.setInt16(4, api.apiKey);
  view.setInt16(6, api.version);
  view.setInt32(8, correlationId);
  view.setInt16(12, CLIENT_ID.length);
  bytes.set(CLIENT_ID, 14);
  bytes.set(body, 14 + CLIENT_ID.length);
  return bytes;
}

/** Reads size-prefixed response frames off a connection; resolves each by correlation id. */
class FrameReader {
  readonly #waiting = new Map<number, () => void>();
  #buffer = new Uint8Array(0);

  constructor(connection: Deno.Conn) {
    this.#pump(connection).catch(() => {});
  }

  answered(correlationId: number): Promise<void> {
    return new Promise((resolve) => this.#waiting.set(correlationId, resolve));
  }

  async #pump(connection: Deno.Conn) {
    const chunk = new Uint8Array(1 << 20);
    for (;;) {
      const read = await connection.read(chunk);
      if (read === null) return;
      const joined = new Uint8Array(this.#buffer.length + read);
      joined.set(this.#buffer);
      joined.set(chunk.subarray(0, read), this.#buffer.length);
      let offset = 0;
      while (joined.length - offset >= 8) {
        const view = new DataView(joined.buffer, offset);
        const size = view.getInt32(0);
        if (joined.length - offset < 4 + size) break;
        const correlationId = view.getInt32(4);
        this.#waiting.get(correlationId)?.();
        this.#waiting.delete(correlationId);
        offset += 4 + size;
      }
      this.#buffer = joined.slice(offset);
    }
  }
}

/** Median wall time (ms) over `rounds` of the iteration's requests, and the requests per round. */
export async function measureBrokerFloor(
  { bootstrap, groupIds, topics, concurrency, rounds = 7 }: {
    bootstrap: string;
    groupIds: readonly string[];
    topics: ReadonlyMap<string, readonly number[]>;
    concurrency: number;
    rounds?: number;
  },
): Promise<{ medianMs: number; minMs: number; requests: number }> {
  const [hostname, port] = bootstrap.split(":");
  const connection = await Deno.connect({ hostname, port: Number(port) });
  const reader = new FrameReader(connection);
  let correlationId = 1;
  const bodies: Array<[{ apiKey: number; version: number }, Uint8Array]> = [];
  for (let start = 0; start < groupIds.length; start += GROUPS_PER_OFFSET_FETCH) {
    bodies.push([
      OFFSET_FETCH,
      encodeOffsetFetchV8(groupIds.slice(start, start + GROUPS_PER_OFFSET_FETCH)),
    ]);
  }
  const listGroups = encodeListGroups(5);
  const listOffsets = encodeListOffsetsV4(topics, { isolationLevel: 0 });
  const send = async (api: { apiKey: number; version: number }, body: Uint8Array) => {
    const id = correlationId++;
    const answered = reader.answered(id);
    const bytes = frame(api, id, body);
    for (let written = 0; written < bytes.length;) {
      written += await connection.write(bytes.subarray(written));
    }
    await answered;
  };
  const walls: number[] = [];
  try {
    for (let round = 0; round < rounds + 1; round++) {
      const started = performance.now();
      await send(LIST_GROUPS_V5, listGroups);
      let next = 0;
      const worker = async () => {
        while (next < bodies.length) {
          const [api, body] = bodies[next++];
          await send(api, body);
        }
      };
      await Promise.all([
        ...Array.from({ length: Math.min(concurrency, bodies.length) }, worker),
        send(LIST_OFFSETS, listOffsets),
      ]);
      // The first round warms the broker's caches and the connection, as the exporter's first
      // iteration does; it is not counted.
      if (round > 0) walls.push(performance.now() - started);
    }
  } finally {
    connection.close();
  }
  walls.sort((a, b) => a - b);
  return {
    medianMs: walls[Math.floor(walls.length / 2)],
    minMs: walls[0],
    requests: bodies.length + 2,
  };
}
