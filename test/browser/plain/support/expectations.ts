/**
 * What each variant is expected to do where SharedEventSource is documented (or anticipated) to
 * differ from the native EventSource. Data, so that issue 10 fills it in without touching a
 * suite: a WPT case listed here runs as `it.todo` for the shared variants until its entry is
 * removed (or the case gets a shared expectation of its own).
 */
import type { Variant } from './implementations.js';

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
