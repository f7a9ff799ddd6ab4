/**
 * The few statistics the benchmarks report: order statistics over repetitions, and counts per
 * fixed time window. Pure, so the report can be checked without a browser.
 */

/** The value at quantile `q` (0..1) by the nearest-rank method; NaN for no samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export const median = (samples: readonly number[]) => quantile(samples, 0.5);
export const p95 = (samples: readonly number[]) => quantile(samples, 0.95);

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  return samples.reduce((sum, value) => sum + value, 0) / samples.length;
}

/** Rounds for the report: enough digits to compare, no float noise. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * How many of `times` fall in each window of `windowMs`, from `start` up to `end` (both ms on
 * the same clock). Times outside the span are ignored.
 */
export function countPerWindow(
  times: readonly number[],
  start: number,
  end: number,
  windowMs: number,
): number[] {
  const windows = Math.max(1, Math.ceil((end - start) / windowMs));
  const counts = new Array<number>(windows).fill(0);
  for (const time of times) {
    if (time < start || time > end) continue;
    const index = Math.min(windows - 1, Math.floor((time - start) / windowMs));
    counts[index]! += 1;
  }
  return counts;
}

/** Ids delivered more than once, and ids of `expected` never delivered. */
export function lossAndDuplicates(
  expected: readonly string[],
  delivered: readonly string[],
): { lost: number; duplicated: number } {
  const seen = new Map<string, number>();
  for (const id of delivered) seen.set(id, (seen.get(id) ?? 0) + 1);
  let duplicated = 0;
  for (const count of seen.values()) duplicated += count - 1;
  const lost = expected.filter((id) => !seen.has(id)).length;
  return { lost, duplicated };
}

/**
 * Deliveries out of order: each first delivery of an id of `expected` that comes after the first
 * delivery of an id published later. Repeats and ids not expected are left to the other counts.
 */
export function reorderings(expected: readonly string[], delivered: readonly string[]): number {
  const order = new Map(expected.map((id, index) => [id, index]));
  const seen = new Set<string>();
  let latest = -1;
  let reordered = 0;
  for (const id of delivered) {
    const index = order.get(id);
    if (index === undefined || seen.has(id)) continue;
    seen.add(id);
    if (index < latest) reordered += 1;
    else latest = index;
  }
  return reordered;
}
