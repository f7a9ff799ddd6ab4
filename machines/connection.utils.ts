/** The connection chart's pure helpers: URLs, statuses, failure codes, retry plans. */
import { nextDelay } from './backoff.js';
import type { ConnectionContext, ConnectionTiming, Wire } from './connection.types.js';
import type { ChannelCommand, TabNotice } from './events.js';
import type { ChannelBody } from './protocol.js';
import type { ConnectionError, ConnectionStatus } from './status.js';
import { enqueueToSystem } from './system.js';

export const CONNECTION_TIMING_DEFAULTS: ConnectionTiming = {
  connectTimeoutMs: 15_000,
  stallTimeoutMs: 45_000,
  stableAfterMs: 5_000,
  topicsDebounceMs: 50,
  serverCloseJitterMs: 1_000,
};

/**
 * The URL of one attempt. The companion's wire adds the topics and the client id; either wire
 * adds the resume id as a query parameter when one is named (native EventSource cannot send it
 * as a header). The endpoint's own query stays as it was written, byte for byte: a signed URL
 * still verifies.
 */
export function streamUrl(context: ConnectionContext, base = 'http://localhost'): string {
  const url = new URL(context.url, base);
  const added = new URLSearchParams();
  if (context.wire === 'tabcast') {
    added.set('topics', context.streamTopics.join(','));
    added.set('clientId', context.clientId);
  }
  const { lastEventId } = context.resume;
  if (lastEventId !== null && context.transport === 'eventsource' && context.lastEventIdParam) {
    added.set(context.lastEventIdParam, lastEventId);
  }
  const extra = added.toString();
  if (extra) url.search = url.search ? `${url.search}&${extra}` : `?${extra}`;
  return /^[a-z][a-z0-9+.-]*:/i.test(context.url) ? url.href : url.href.slice(url.origin.length);
}

export const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((item, index) => item === b[index]);

export function connectionStatus(
  phase: ConnectionStatus['phase'],
  context: ConnectionContext,
): ConnectionStatus {
  return {
    phase,
    attempt: context.attempt,
    retryAt: phase === 'reconnecting' ? context.retryAt : null,
    error: context.error,
  };
}

/** Answers that say "later", however they are numbered. */
export const TRY_LATER = new Set([408, 425, 429]);

/**
 * An answer that asking again unchanged will not change, as `EventSource` treats it: a 4xx but
 * the try-later ones (a 401 of the session's is taken before), a 2xx or 3xx that is not the
 * stream (a 200 that is no `text/event-stream` among them). A 5xx or a network error is tried
 * again.
 */
export const isRefusal = (status: number | undefined) =>
  status !== undefined && status !== 204 && status < 500 && !TRY_LATER.has(status);

/** The longest delay a timer takes (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Whether an attempt can tell the server where it stands: a header, or a named parameter. */
export const sendsResumeId = (context: ConnectionContext) =>
  context.transport === 'fetch' || context.lastEventIdParam !== null;

export function httpFailureCode(status: number | undefined, wire: Wire): ConnectionError['code'] {
  if (status === undefined) return 'network';
  if (status === 401) return 'unauthorized';
  if (status === 200) return 'not_event_stream';
  if (status === 400 && wire === 'tabcast') return 'invalid_topics';
  if (status === 403) return 'forbidden';
  return 'http';
}

/**
 * Queues a notice as a channel post for every follower, and for this tab's root. The post goes
 * first: the followers' copy is on its way while this tab delivers its own.
 */
export function enqueueFollowersAndTab(
  enqueue: Parameters<typeof enqueueToSystem>[0],
  system: Parameters<typeof enqueueToSystem>[1],
  notice: TabNotice,
  body: ChannelBody,
) {
  const post: ChannelCommand = { type: 'channel.post', body };
  enqueueToSystem(enqueue, system, 'channel', post);
  enqueueToSystem(enqueue, system, 'tab', notice);
}

/**
 * How long until the open stream counts as stalled: its stall timeout after its last sign of
 * life, 0 when that has passed. A stall timeout of 0 turns detection off: the longest timer
 * there is stands for never.
 */
export function untilStalled(context: ConnectionContext, now: number): number {
  const { stallTimeoutMs } = context.timing;
  if (stallTimeoutMs === 0) return MAX_TIMER_MS;
  return Math.max(0, context.lastLifeAt + stallTimeoutMs - now);
}

/** The next reconnect delay, from the backoff policy. */
export function planRetry(
  context: ConnectionContext,
  random: () => number,
  now: () => number,
): Partial<ConnectionContext> {
  const retryDelayMs = nextDelay({
    attempt: Math.max(0, context.attempt - 1),
    policy: context.backoff,
    random,
    retryAfterMs: context.retryAfterMs,
    serverRetryMs: context.serverRetryMs,
    previousMs: context.retryDelayMs || undefined,
  });
  return { retryDelayMs, retryAt: now() + retryDelayMs };
}

/** A server close is no failure: reconnect soon, spread so a restart is no storm. */
export function planServerCloseRetry(
  context: ConnectionContext,
  random: () => number,
  now: () => number,
): Partial<ConnectionContext> {
  const retryDelayMs = Math.round(random() * context.timing.serverCloseJitterMs);
  return { retryDelayMs, retryAt: now() + retryDelayMs };
}

/** Whether the current connect attempt has run out of time by `now`. */
export const connectOverdue = (context: ConnectionContext, now: number) =>
  now >= context.connectDeadline;

/** Whether the planned reconnect is due by `now`. */
export const retryDue = (context: ConnectionContext, now: number) =>
  context.retryAt !== null && now >= context.retryAt;
