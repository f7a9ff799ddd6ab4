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
  readonly name: 'native' | 'shared/eventsource' | 'shared/fetch' | 'shared/eventsource+param';
  readonly implementation: Implementation;
  /** The second argument of the constructor (native reads only `withCredentials`). */
  readonly init: Readonly<Record<string, unknown>>;
}

export const NATIVE: Variant = { name: 'native', implementation: 'native', init: {} };

/** What the shared variants pass besides `transport`: a small backoff, so the suites stay fast. */
const SHARED_BACKOFF = { baseMs: 100, capMs: 1_000 };

/**
 * The shared variants. A scope's sources share one leader's settings, so each variant is its
 * own app (`appKey`). `shared/eventsource` keeps the documented default of no stall detection
 * (a native source shows the page no sign of life between events); `shared/fetch` detects a
 * stall after 3 s instead of 45, so the suites see it happen.
 */
export const SHARED_VARIANTS: readonly Variant[] = [
  {
    name: 'shared/eventsource',
    implementation: 'shared',
    init: { backoff: SHARED_BACKOFF, appKey: 'plain-suite-eventsource', transport: 'eventsource' },
  },
  {
    name: 'shared/fetch',
    implementation: 'shared',
    init: {
      backoff: SHARED_BACKOFF,
      timing: { stallTimeoutMs: 3_000 },
      appKey: 'plain-suite-fetch',
      transport: 'fetch',
    },
  },
];

/**
 * `shared/eventsource` with the resume id in a query parameter (`lastEventIdParam`), as a server
 * that takes it there allows: not run by every suite, only by the cases about resuming.
 */
export const SHARED_EVENTSOURCE_WITH_PARAM: Variant = {
  name: 'shared/eventsource+param',
  implementation: 'shared',
  init: {
    backoff: SHARED_BACKOFF,
    appKey: 'plain-suite-eventsource-param',
    transport: 'eventsource',
    lastEventIdParam: 'lastEventId',
  },
};

/** Every variant the suites run: native, then the shared ones. */
export const VARIANTS: readonly Variant[] = [NATIVE, ...SHARED_VARIANTS];
