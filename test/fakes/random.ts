/**
 * A seeded pseudo-random source (mulberry32) for reproducible jitter: the same seed always gives
 * the same sequence of numbers in [0, 1).
 *
 * @example
 * const random = seededRandom(42);
 * nextDelay({ attempt: 3, policy, random });
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}
