/**
 * One gzip rendering of /metrics per snapshot, shared by every scrape of it. Prometheus servers
 * in HA pairs, a federation and a curious human often scrape the same snapshot: each used to cost
 * a full render on the collector's thread (4.5 s of CPU at 50,000 groups). The first scrape of a
 * snapshot renders and compresses; scrapes arriving meanwhile follow the same bytes as they are
 * produced, later ones get them from memory, until a cluster publishes a new snapshot.
 */
import { concatBytes } from "../util/concat_bytes.ts";
import { GZIP_BEST_SPEED, gzipStream } from "../util/gzip_stream.ts";
import { ChunkPool } from "../export/text_stream.ts";

/** Compressed bytes handed to followers at once. */
const BLOCK_BYTES = 64 * 1024;

/** The compressed exposition of one snapshot, as far as it is rendered. */
interface Rendering {
  /**
   * The snapshots it was rendered from, held weakly: a kept rendering must not keep an old
   * snapshot (at 10,000 groups some 30 MB of groups and tables) alive until the next scrape.
   */
  key: readonly WeakRef<object>[];
  chunks: Uint8Array[];
  done: boolean;
  failed?: unknown;
  /** Followers waiting for the next chunk. */
  wake: Set<() => void>;
}

/** What the shared exposition renders from. */
export interface SharedExpositionDeps {
  /** The exposition text, streamed, its chunks taken from `pool` (compressed ones go back). */
  render(pool: ChunkPool): Promise<ReadableStream<Uint8Array<ArrayBuffer>>>;
  /** What identifies a snapshot: the clusters' published statuses (new objects on each publish). */
  snapshotKey(): readonly object[];
}

/** gzip-compressed /metrics bodies, rendered once per snapshot. */
export class SharedExposition {
  readonly #deps: SharedExpositionDeps;
  #current?: Rendering;
  #renders = 0;

  constructor(deps: SharedExpositionDeps) {
    this.#deps = deps;
  }

  /** How many renderings were started (for tests and the bench). */
  get renders(): number {
    return this.#renders;
  }

  /** Compressed bytes kept for later scrapes of the current snapshot (for tests). */
  get keptBytes(): number {
    return this.#current?.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0) ?? 0;
  }

  /** A gzip body of the current snapshot's exposition. */
  stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const key = this.#deps.snapshotKey();
    const current = this.#current;
    const reusable = current !== undefined && current.failed === undefined && isOf(current, key);
    const rendering = reusable ? current : this.#start(key);
    return follow(rendering);
  }

  /**
   * Lets go of a rendering whose snapshot was replaced (scrapes still reading it finish it): kept
   * until the next scrape, it was dead weight between scrapes (52 MB at 100,000 groups).
   */
  forgetStale(): void {
    if (this.#current && !isOf(this.#current, this.#deps.snapshotKey())) this.#current = undefined;
  }

  #start(key: readonly object[]): Rendering {
    const rendering: Rendering = {
      key: key.map((item) => new WeakRef(item)),
      chunks: [],
      done: false,
      wake: new Set(),
    };
    this.#current = rendering;
    this.#renders++;
    const notify = () => {
      const waiting = [...rendering.wake];
      rendering.wake.clear();
      for (const wake of waiting) wake();
    };
    (async () => {
      try {
        const pool = new ChunkPool();
        const gzip = (await this.#deps.render(pool)).pipeThrough(
          gzipStream(GZIP_BEST_SPEED, { compressed: (chunk) => pool.give(chunk) }),
        );
        // The compressor emits a small piece per input piece (hundreds of thousands at 10,000
        // groups): handed on in blocks, followers and the HTTP writes see a few dozen.
        let pending: Uint8Array[] = [];
        let pendingBytes = 0;
        const publish = () => {
          rendering.chunks.push(concatBytes(pending));
          pending = [];
          pendingBytes = 0;
          notify();
        };
        for await (const chunk of gzip) {
          pending.push(chunk);
          pendingBytes += chunk.byteLength;
          if (pendingBytes >= BLOCK_BYTES) publish();
        }
        if (pendingBytes > 0) publish();
        rendering.done = true;
      } catch (error) {
        rendering.failed = error;
        if (this.#current === rendering) this.#current = undefined;
      }
      notify();
    })();
    return rendering;
  }
}

/** Whether a rendering is of the snapshot `key` identifies. */
function isOf(rendering: Rendering, key: readonly object[]): boolean {
  return rendering.key.length === key.length &&
    rendering.key.every((item, index) => item.deref() === key[index]);
}

/** A stream over one rendering's chunks, from the first, waiting for those still to come. */
function follow(rendering: Rendering): ReadableStream<Uint8Array<ArrayBuffer>> {
  let next = 0;
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      while (next >= rendering.chunks.length && !rendering.done) {
        if (rendering.failed !== undefined) {
          controller.error(rendering.failed);
          return;
        }
        await new Promise<void>((resolve) => rendering.wake.add(resolve));
      }
      if (next < rendering.chunks.length) {
        controller.enqueue(rendering.chunks[next++] as Uint8Array<ArrayBuffer>);
      } else controller.close();
    },
  });
}
