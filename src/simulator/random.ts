/**
 * Seeded randomness for the simulator.
 *
 * Hand-written rather than a library because the simulator needs two things at once: a generator that can be
 * re-created for any (seed, repository, pull request) triple in O(1) — so pull request 199,999 is derived without
 * generating the 199,999 before it — and byte-for-byte identical output on every runtime. Math.random cannot be
 * seeded, and the installed seeded generators (fast-check's) are test-time internals. mulberry32 is a few lines,
 * passes the statistical tests that matter for synthetic data, and a 32-bit mixing hash turns a tuple into a seed.
 */

export type Random = () => number;

/** mulberry32: a 32-bit state, period 2^32, uniform floats in [0, 1). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a tuple of integers and strings, stable across runtimes. */
export function hashTuple(...parts: (number | string)[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    if (typeof part === 'number') {
      // split so indices above 2^32 still differ
      h = fmix32(h ^ fmix32(part >>> 0));
      h = fmix32(h ^ fmix32(Math.floor(part / 4294967296)));
    } else {
      for (let i = 0; i < part.length; i++) h = fmix32(Math.imul(h ^ part.charCodeAt(i), 0x01000193));
      h = fmix32(h ^ part.length);
    }
  }
  return h;
}

export function randomFor(...parts: (number | string)[]): Random {
  return mulberry32(hashTuple(...parts));
}

export function intBetween(random: Random, min: number, maxInclusive: number): number {
  return min + Math.floor(random() * (maxInclusive - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
