/**
 * What each variant is expected to do where SharedEventSource is documented to differ from the
 * native EventSource (docs/recipes/plain.md), as data: the WPT cases that deviate, with the
 * documented difference (the test file asserts the alternative), and the outcome of each variant
 * against each misbehaving server.
 */
import type { Variant } from './implementations.js';
import { HUGE_EVENT_BYTES, type Misbehaviour } from './misbehaving.js';

type VariantName = Variant['name'];

/** Where a WPT case's assertion does not hold for some shared variants, and why. */
export interface WptDeviation {
  /** The variants that differ; every other variant runs the case as WPT has it. */
  variants: readonly VariantName[];
  /** The documented difference, and so what the case asserts instead. */
  why: string;
}

const BOTH_SHARED: readonly VariantName[] = ['shared/eventsource', 'shared/fetch'];

const NO_LAST_EVENT_ID_HEADER =
  'native EventSource cannot send Last-Event-ID on a new connection: each reconnect starts afresh (no header, unless lastEventIdParam names a query parameter), so the server starts over';

/**
 * WPT cases (by `"<wpt file>: <case name>"`) where shared variants are documented to differ.
 * The WPT test file holds the asserted alternative of each; a case listed here without one fails
 * to load, and a check of the tables fails on an entry that names no case or an alternative
 * without an entry.
 */
export const WPT_SHARED_DEVIATIONS: Readonly<Record<string, WptDeviation>> = {
  'request-status-error: a 500 fails the connection (500)': {
    variants: BOTH_SHARED,
    why: 'a 5xx is retried: error while CONNECTING, a second request, and open when it answers 200',
  },
  'request-status-error: a 503 fails the connection (503)': {
    variants: BOTH_SHARED,
    why: 'a 5xx is retried: error while CONNECTING, a second request, and open when it answers 200',
  },
  'eventsource-onmessage-trusted: message events are trusted': {
    variants: BOTH_SHARED,
    why: 'events are dispatched by script (relayed from the leader tab): isTrusted is false',
  },
  'format-field-retry: retry: 01000 is read as decimal 1000 ms': {
    variants: BOTH_SHARED,
    why: 'the reconnect follows the backoff, measured with no jitter (full jitter has no lower bound): fetch takes retry: as its base, native EventSource hides retry: and our own base applies',
  },
  'format-field-retry-bogus: a retry value with a non-digit is ignored': {
    variants: BOTH_SHARED,
    why: 'the reconnect follows the backoff, measured with no jitter (full jitter has no lower bound): fetch takes retry: as its base, native EventSource hides retry: and our own base applies',
  },
  'eventsource-request-cancellation: window.stop() (Chromium deviates: the source is not stopped, it opens and delivers)':
    {
      variants: BOTH_SHARED,
      why: 'the stream may be another tab’s: window.stop() in this one does not touch it, the source keeps running and reconnects',
    },
  'format-utf-8: the stream is UTF-8 whatever charset the type names (Chromium deviates: a charset other than UTF-8 fails the connection)':
    {
      variants: ['shared/fetch'],
      why: 'the fetch transport decodes the body as UTF-8 whatever the charset, as WPT expects (Chromium’s check is its EventSource’s)',
    },
  'format-field-id: the id is sent back as Last-Event-ID on reconnect': {
    variants: ['shared/eventsource'],
    why: NO_LAST_EVENT_ID_HEADER,
  },
  'format-field-id-2: the last event id outlives two reconnects without an id field': {
    variants: ['shared/eventsource'],
    why: NO_LAST_EVENT_ID_HEADER,
  },
  'format-field-id: no Last-Event-ID at first, the id after': {
    variants: ['shared/eventsource'],
    why: NO_LAST_EVENT_ID_HEADER,
  },
};

/** The documented difference of `variant` for a WPT case, or null where it must behave alike. */
export function sharedDeviationOf(variant: Variant, wptCase: string): string | null {
  const deviation = WPT_SHARED_DEVIATIONS[wptCase];
  return deviation?.variants.includes(variant.name) ? deviation.why : null;
}

/**
 * The events of a client that keeps trying: `cycle` over and over (the last one may be cut
 * short by the end of the watch), at least `atLeast` times in full.
 */
export interface RepeatedEvents {
  cycle: string[];
  atLeast: number;
}

/** What a client ends up doing against a misbehaving server, after watching it for a while. */
export interface MisbehaviourOutcome {
  /**
   * `readyState` at the end of the watch; `'not closed'` for a client that keeps trying, which
   * the end of the watch finds CONNECTING or OPEN depending on where it is in its cycle.
   */
  readyState: 0 | 1 | 2 | 'not closed';
  /** The types of the events dispatched, in order. */
  events: string[] | RepeatedEvents;
  /** The length of each message's data, in order. */
  messageLengths: number[];
  /** Requests the server got for the URL: 1 means the client never came back. */
  requests: number | { atLeast: number };
}

/** One variant's expectation for one misbehaviour. */
export interface MisbehaviourExpectation {
  expected: MisbehaviourOutcome;
  /** How long to watch once the server has written all it will. */
  watchMs: number;
  /** What the client does, and why, in words. */
  note: string;
  /** The source's `init` over the variant's, where the case needs a setting of its own. */
  init?: Record<string, unknown>;
}

/** How long native is watched: what Chromium was measured doing in that time. */
const NATIVE_WATCH_MS = 600;
/**
 * How long the shared variants are watched where nothing more should happen: past a retry of
 * their backoff (base 100 ms, so the first comes within 100 ms) and a status probe.
 */
const WATCH_MS = 300;

/**
 * The stall cases' timeout: shorter than the fetch variant's (3 s, for the other suites' quiet
 * moments) so the watch stays short; the same chart, in a scope of its own.
 */
const STALL_INIT = { appKey: 'plain-suite-fetch-stall', timing: { stallTimeoutMs: 1_000 } };
const PAST_STALL_MS = 1_600;

const failed = (note: string, requests = 1, watchMs = WATCH_MS): MisbehaviourExpectation => ({
  expected: { readyState: 2, events: ['error'], messageLengths: [], requests },
  watchMs,
  note,
});

const openAndWaiting = (note: string, watchMs = WATCH_MS): MisbehaviourExpectation => ({
  expected: { readyState: 1, events: ['open'], messageLengths: [], requests: 1 },
  watchMs,
  note,
});

const hugeEventDelivered = (note: string, watchMs = WATCH_MS): MisbehaviourExpectation => ({
  expected: {
    readyState: 1,
    events: ['open', 'message', 'message'],
    messageLengths: [HUGE_EVENT_BYTES, 'after'.length],
    requests: 1,
  },
  watchMs,
  note,
});

/** Retried with backoff, never opening: an `error` (CONNECTING) per failed attempt. */
const retried = (note: string, requests: number): MisbehaviourExpectation => ({
  expected: {
    readyState: 0,
    events: { cycle: ['error'], atLeast: 2 },
    messageLengths: [],
    requests: { atLeast: requests },
  },
  // Two attempts at least: room for a slow machine.
  watchMs: 2 * WATCH_MS,
  note,
});

/** Opened, then dropped by the client and reconnected, over and over; nothing dispatched. */
const droppedAndReconnected = (
  note: string,
  { cycles, watchMs, init }: { cycles: number; watchMs: number; init?: Record<string, unknown> },
): MisbehaviourExpectation => ({
  expected: {
    readyState: 'not closed',
    events: { cycle: ['open', 'error'], atLeast: cycles },
    messageLengths: [],
    requests: { atLeast: cycles + 1 },
  },
  watchMs,
  note,
  ...(init ? { init } : {}),
});

const STALLED = { cycles: 1, watchMs: PAST_STALL_MS, init: STALL_INIT };

/**
 * The status probe: native EventSource hides a failed connect's status, so the eventsource
 * transport asks once more with fetch (docs/architecture.md), and the server sees two requests.
 */
const WITH_PROBE = 2;

/**
 * The fetch transport's parser keeps at most `MAX_BUFFERED_CHARS` (4 MiB) characters of an
 * unfinished line or event (src/transport/fetch.ts): past that it throws, the attempt fails as
 * a network error, and the chart reconnects with its backoff (full jitter, doubling up to
 * `capMs`; `attempt` grows, as the stream never stays open for `stableAfterMs`). Memory stays
 * bounded (≈ 4 MiB of text, 8 MB as a UTF-16 string, plus the chunk being decoded) and the
 * retries are spaced, at the price of the first 4 MiB downloaded again on each attempt.
 */
const DROPPED_AT_BUFFER_BOUND = { cycles: 2, watchMs: 1_000 };

/** What each variant does against each misbehaving server (native: measured in Chromium 156). */
export const MISBEHAVIOUR_EXPECTATIONS: Record<
  string,
  Record<Misbehaviour, MisbehaviourExpectation>
> = {
  native: {
    'html-page': failed(
      'a content type other than text/event-stream fails the connection',
      1,
      NATIVE_WATCH_MS,
    ),
    'huge-event': hugeEventDelivered('delivered whole, and the stream goes on', NATIVE_WATCH_MS),
    'endless-line': openAndWaiting(
      'buffers the line, dispatches nothing, never gives up',
      NATIVE_WATCH_MS,
    ),
    'partial-event': openAndWaiting('nothing is dispatched, the stream is kept', NATIVE_WATCH_MS),
    silent: openAndWaiting(
      'open fires on the headers; then it waits for ever (no stall check)',
      NATIVE_WATCH_MS,
    ),
    'status-204': failed('a 204 is the server saying stop', 1, NATIVE_WATCH_MS),
    'status-401': failed('any status but 200 fails the connection', 1, NATIVE_WATCH_MS),
    'status-500': failed('any status but 200 fails the connection: no retry', 1, NATIVE_WATCH_MS),
  },
  'shared/eventsource': {
    'html-page': failed(
      'failed (not_event_stream): the connect, then the status probe learns the 200 is no event stream; no retry',
      WITH_PROBE,
    ),
    'huge-event': hugeEventDelivered(
      'the browser parses it: delivered whole (relayed to other tabs as one structured clone), the stream goes on',
    ),
    'endless-line': openAndWaiting(
      'the browser buffers the line; no stall detection by default, so it waits as native does',
    ),
    'partial-event': openAndWaiting(
      'nothing is dispatched; no stall detection by default, so the stream is kept',
    ),
    silent: openAndWaiting('open on the headers, then it waits: no stall detection by default'),
    'status-204': failed(
      'a 204 closes it (documented); the probe is the second request',
      WITH_PROBE,
    ),
    'status-401': failed(
      'a 401 without refreshCredentials signs the scope out: error, CLOSED; the probe is the second request',
      WITH_PROBE,
    ),
    'status-500': retried(
      'a 5xx is retried with backoff (documented): an error per attempt, each a connect and its probe',
      2 * WITH_PROBE,
    ),
  },
  'shared/fetch': {
    'html-page': failed(
      'failed (not_event_stream): fetch sees the 200 is no event stream; no retry',
    ),
    'huge-event': droppedAndReconnected(
      'past the 4 MiB parser bound the stream is dropped and reconnected with backoff: bounded memory, spaced retries, nothing delivered',
      DROPPED_AT_BUFFER_BOUND,
    ),
    'endless-line': droppedAndReconnected(
      'bytes keep coming, so no stall: the 4 MiB parser bound drops it, reconnected with backoff',
      DROPPED_AT_BUFFER_BOUND,
    ),
    'partial-event': droppedAndReconnected(
      'no bytes for stallTimeoutMs: stalled, reconnected; nothing dispatched',
      STALLED,
    ),
    silent: droppedAndReconnected('no bytes for stallTimeoutMs: stalled, reconnected', STALLED),
    'status-204': failed('a 204 closes it (documented)'),
    'status-401': failed('a 401 without refreshCredentials signs the scope out: error, CLOSED'),
    'status-500': retried('a 5xx is retried with backoff (documented): an error per attempt', 2),
  },
};
