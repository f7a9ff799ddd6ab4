/**
 * What each variant is expected to do where SharedEventSource is documented (or anticipated) to
 * differ from the native EventSource. Data, so that issue 10 fills it in without touching a
 * suite: a WPT case listed here runs as `it.todo` for the shared variants until its entry is
 * removed (or the case gets a shared expectation of its own).
 */
import type { Variant } from './implementations.js';
import { HUGE_EVENT_BYTES, type Misbehaviour } from './misbehaving.js';

/**
 * WPT cases (by `"<wpt file>: <case name>"`) where the shared variants are expected to differ,
 * with the documented difference.
 */
export const WPT_SHARED_DEVIATIONS: Readonly<Record<string, string>> = {
  'request-status-error: a 500 fails the connection (500)':
    'a 5xx is retried with jittered backoff, not CLOSED',
  'request-status-error: a 503 fails the connection (503)':
    'a 5xx is retried with jittered backoff, not CLOSED',
  'eventsource-onmessage-trusted: message events are trusted':
    'events dispatched by script have isTrusted false',
  'format-field-retry: retry: 01000 is read as decimal 1000 ms':
    'reconnects follow the backoff, not necessarily retry:',
  'format-field-retry-bogus: a retry value with a non-digit is ignored':
    'reconnects follow the backoff, not necessarily retry:',
  'eventsource-request-cancellation: window.stop() (Chromium deviates: the source is not stopped, it opens and delivers)':
    'the stream may be held by another tab: window.stop() in this one cannot cancel it',
  'format-utf-8: the stream is UTF-8 whatever charset the type names (Chromium deviates: a charset other than UTF-8 fails the connection)':
    "with transport 'fetch' the body is decoded as UTF-8, as WPT expects (ok…); with 'eventsource' Chromium's check applies",
};

/** The documented difference of `variant` for a WPT case, or null where it must behave alike. */
export function sharedDeviationOf(variant: Variant, wptCase: string): string | null {
  if (variant.implementation !== 'shared') return null;
  return WPT_SHARED_DEVIATIONS[wptCase] ?? null;
}

/** What a client ends up doing against a misbehaving server, after watching it for a while. */
export interface MisbehaviourOutcome {
  /** `readyState` at the end of the watch. */
  readyState: 0 | 1 | 2;
  /** The types of the events dispatched, in order. */
  events: string[];
  /** The length of each message's data, in order. */
  messageLengths: number[];
  /** Requests the server got for the URL: 1 means the client never came back. */
  requests: number | { atLeast: number };
}

/** One variant's expectation for one misbehaviour. */
export interface MisbehaviourExpectation {
  /** null until filled in: the case runs as `it.todo`. */
  expected: MisbehaviourOutcome | null;
  /** How long to watch once the server has written all it will. */
  watchMs: number;
  /** What issue 10 says, or what we expect, in words. */
  note: string;
}

const NATIVE_WATCH_MS = 600;
/** Past the shared variants' `stallTimeoutMs` (3 s, `implementations.ts`). */
const SHARED_WATCH_MS = 4_500;

const failed = (note: string): MisbehaviourExpectation => ({
  expected: { readyState: 2, events: ['error'], messageLengths: [], requests: 1 },
  watchMs: NATIVE_WATCH_MS,
  note,
});

const openAndWaiting = (note: string): MisbehaviourExpectation => ({
  expected: { readyState: 1, events: ['open'], messageLengths: [], requests: 1 },
  watchMs: NATIVE_WATCH_MS,
  note,
});

/** To be filled in by issue 10. */
const toFill = (note: string): MisbehaviourExpectation => ({
  expected: null,
  watchMs: SHARED_WATCH_MS,
  note,
});

/** Both transports, until they are shown to differ (then give each its own table). */
const SHARED_MISBEHAVIOUR_EXPECTATIONS: Record<Misbehaviour, MisbehaviourExpectation> = {
  'html-page': toFill('a wrong content type: CLOSED + error, like native (anticipated)'),
  'huge-event': toFill('delivered whole to every tab? (relayed: a 10 MB structured clone)'),
  'endless-line': toFill('bytes keep coming, so no stall; is there a cap on a line?'),
  'partial-event': toFill(
    'no bytes for stallTimeoutMs: reconnected, requests ≥ 2, nothing dispatched',
  ),
  silent: toFill('no bytes for stallTimeoutMs: reconnected, requests ≥ 2'),
  'status-204': toFill('CLOSED + error, like native (documented)'),
  'status-401': toFill('CLOSED + error? or a credentials refresh first'),
  'status-500': toFill('retried with jittered backoff (documented): requests ≥ 2, not CLOSED'),
};

/** What each variant does against each misbehaving server (native: measured in Chromium 156). */
export const MISBEHAVIOUR_EXPECTATIONS: Record<
  string,
  Record<Misbehaviour, MisbehaviourExpectation>
> = {
  native: {
    'html-page': failed('a content type other than text/event-stream fails the connection'),
    'huge-event': {
      expected: {
        readyState: 1,
        events: ['open', 'message', 'message'],
        messageLengths: [HUGE_EVENT_BYTES, 'after'.length],
        requests: 1,
      },
      watchMs: NATIVE_WATCH_MS,
      note: 'delivered whole, and the stream goes on',
    },
    'endless-line': openAndWaiting('buffers the line, dispatches nothing, never gives up'),
    'partial-event': openAndWaiting('nothing is dispatched, the stream is kept'),
    silent: openAndWaiting('open fires on the headers; then it waits for ever (no stall check)'),
    'status-204': failed('a 204 is the server saying stop'),
    'status-401': failed('any status but 200 fails the connection'),
    'status-500': failed('any status but 200 fails the connection: no retry'),
  },
  'shared/eventsource': SHARED_MISBEHAVIOUR_EXPECTATIONS,
  'shared/fetch': SHARED_MISBEHAVIOUR_EXPECTATIONS,
};
