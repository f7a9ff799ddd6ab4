/**
 * Which EventSource the plain suites run against: the native one, and `SharedEventSource` (from
 * `src/`) over each of its transports. Imported by the page (`page.ts`, in the browser) and by
 * the tests (in Node), so both always agree. What the shared version is expected to do
 * differently is data in `expectations.ts`.
 */

/** Which constructor a page uses: `window.EventSource` or `window.SharedEventSource`. */
export type Implementation = 'native' | 'shared';

/** One way of running a suite: a constructor and the `init` passed to it. */
export interface Variant {
  readonly name: 'native' | 'shared/eventsource' | 'shared/fetch';
  readonly implementation: Implementation;
  /** The second argument of the constructor (native reads only `withCredentials`). */
  readonly init: Readonly<Record<string, unknown>>;
}

export const NATIVE: Variant = { name: 'native', implementation: 'native', init: {} };

/**
 * What the shared variants pass besides `transport`: small delays, so the suites stay fast.
 * Rename the fields here if the final option names differ.
 */
const SHARED_INIT = {
  backoff: { baseMs: 100, capMs: 1_000 },
  timing: { stallTimeoutMs: 3_000 },
};

export const SHARED_VARIANTS: readonly Variant[] = [
  {
    name: 'shared/eventsource',
    implementation: 'shared',
    // A scope's sources share one leader's settings: each transport is its own app here.
    init: { ...SHARED_INIT, appKey: 'plain-suite-eventsource', transport: 'eventsource' },
  },
  {
    name: 'shared/fetch',
    implementation: 'shared',
    init: { ...SHARED_INIT, appKey: 'plain-suite-fetch', transport: 'fetch' },
  },
];

/** Every variant the suites run: native, then the shared ones. */
export const VARIANTS: readonly Variant[] = [NATIVE, ...SHARED_VARIANTS];
