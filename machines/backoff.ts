/**
 * The reconnect delay policy: a pure function, so the statechart stays free of arithmetic and
 * every strategy can be tested (and benchmarked) with an injected `random`.
 */

/** How the delay grows and spreads between attempts. */
export type JitterStrategy = 'full' | 'equal' | 'decorrelated' | 'none';

export interface BackoffOptions {
  /**
   * `full`: `random() * min(cap, base * 2^attempt)` (spreads a reconnect storm best);
   * `equal`: half fixed, half random; `decorrelated`: `min(cap, random between base and 3 * previous)`;
   * `none`: `min(cap, base * 2^attempt)` (for comparison only: clients reconnect in lockstep).
   * @default 'full'
   */
  strategy: JitterStrategy;
  /** The first delay's scale, in ms. A server `retry:` field replaces it (and is a floor). @default 1000 */
  baseMs: number;
  /** No delay exceeds this, in ms (a `Retry-After` may). @default 30000 */
  capMs: number;
  /** Consecutive failures before the connection gives up (`failed`). @default Infinity */
  maxAttempts: number;
}

export const BACKOFF_DEFAULTS: BackoffOptions = {
  strategy: 'full',
  baseMs: 1000,
  capMs: 30_000,
  maxAttempts: Number.POSITIVE_INFINITY,
};

export interface DelayRequest {
  /** 0 for the first retry after a failure. */
  attempt: number;
  policy: BackoffOptions;
  random: () => number;
  /** `Retry-After` from a 429/503, in ms: a floor the delay never goes below. */
  retryAfterMs?: number | undefined;
  /** The server's `retry:` field, in ms: replaces `baseMs`, and is a floor like `Retry-After`. */
  serverRetryMs?: number | undefined;
  /** The delay chosen last time (decorrelated jitter grows from it). */
  previousMs?: number | undefined;
}

/**
 * The delay before the next connect attempt, in ms.
 *
 * A `Retry-After` and the server's `retry:` are floors: the server asked for at least that long,
 * as `EventSource` would wait. Their own jitter (up to one base) keeps every client that got the
 * same answer from coming back in the same millisecond.
 *
 * @example
 * nextDelay({ attempt: 3, policy: BACKOFF_DEFAULTS, random: Math.random }) // 0..8000
 */
export function nextDelay(request: DelayRequest): number {
  const { attempt, policy, random } = request;
  const base = request.serverRetryMs ?? policy.baseMs;
  const ceiling = Math.min(policy.capMs, base * 2 ** Math.min(attempt, 30));
  let delay: number;
  switch (policy.strategy) {
    case 'full':
      delay = random() * ceiling;
      break;
    case 'equal':
      delay = ceiling / 2 + (random() * ceiling) / 2;
      break;
    case 'decorrelated': {
      const previous = request.previousMs ?? base;
      delay = Math.min(policy.capMs, base + random() * Math.max(0, previous * 3 - base));
      break;
    }
    case 'none':
      delay = ceiling;
      break;
  }
  const floor = Math.max(request.retryAfterMs ?? 0, request.serverRetryMs ?? 0);
  if (request.retryAfterMs !== undefined || request.serverRetryMs !== undefined) {
    delay = Math.max(delay, floor + random() * base);
  }
  return Math.round(delay);
}
