/**
 * Seeded mutations of real answers, aimed at what breaks decoders: length and count fields made
 * negative, huge, off by one or zero; truncation; flipped bytes; varints that never end or encode
 * 2⁶³. The same seed gives the same inputs, so any failure can be replayed.
 */

/** A small, fast, seeded PRNG (mulberry32). */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** Values a hostile length or count field takes. */
const HOSTILE_INT32 = [-1, -12, -2147483648, 0, 1, 2147483647, 0x7ffffff0, 65536, 16777216];
const HOSTILE_INT16 = [-1, -32768, 0, 32767, 255];
/** Zigzag varints: -1, -2³¹, 2³¹−1, a huge one, one that never ends (ten continuation bytes). */
const HOSTILE_VARINTS = [
  [0x01],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xfe, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80],
];

/** Positions worth aiming at in an input (field offsets a target knows), besides random ones. */
export type Hotspots = (bytes: Uint8Array) => number[];

/**
 * A mutation of several related fields at once that a target knows of (a record count set to
 * 2³¹−1 together with a record length that does not advance), applied in place.
 */
export type Compound = (bytes: Uint8Array, random: Random) => void;

/** The hostile varints, for targets' compound mutations. */
export function hostileVarint(random: Random): number[] {
  return random.pick(HOSTILE_VARINTS);
}

/** One mutated copy of `seed`; `hotspots` are preferred positions for field mutations. */
export function mutate(
  seed: Uint8Array,
  { random, hotspots, compound }: { random: Random; hotspots?: Hotspots; compound?: Compound },
): Uint8Array {
  let bytes = seed.slice();
  if (compound && random.next() < 0.15) {
    compound(bytes, random);
    return bytes;
  }
  const rounds = 1 + random.below(3);
  for (let round = 0; round < rounds; round++) {
    const spots = hotspots?.(bytes) ?? [];
    if (bytes.byteLength === 0) break;
    const aimed = spots.filter((spot) => spot < bytes.byteLength);
    const position = aimed.length > 0 && random.next() < 0.6
      ? random.pick(aimed)
      : random.below(bytes.byteLength);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    switch (random.below(8)) {
      case 0:
      case 1:
        if (position + 4 <= bytes.byteLength) {
          const value = random.next() < 0.7
            ? random.pick(HOSTILE_INT32)
            : view.getInt32(position) + random.pick([-1, 1, 2, -4]);
          view.setInt32(position, value);
        }
        break;
      case 2:
        if (position + 2 <= bytes.byteLength) view.setInt16(position, random.pick(HOSTILE_INT16));
        break;
      case 3: {
        const varint = random.pick(HOSTILE_VARINTS);
        bytes.set(varint.slice(0, bytes.byteLength - position), position);
        break;
      }
      case 4:
        bytes = bytes.slice(0, random.below(bytes.byteLength + 1));
        break;
      case 5:
        for (let flips = 1 + random.below(4); flips > 0; flips--) {
          bytes[random.below(Math.max(1, bytes.byteLength))] ^= 1 << random.below(8);
        }
        break;
      case 6:
        if (position < bytes.byteLength) bytes[position] = random.pick([0x00, 0xff, 0x7f, 0x80]);
        break;
      default: {
        // A slice of the input repeated in place: counts that are now too small or too large.
        const length = random.below(64);
        const copy = bytes.slice(position, position + length);
        const grown = new Uint8Array(bytes.byteLength + copy.byteLength);
        grown.set(bytes.subarray(0, position));
        grown.set(copy, position);
        grown.set(bytes.subarray(position), position + copy.byteLength);
        bytes = grown;
      }
    }
  }
  return bytes;
}
