/**
 * connection — the leader's one stream: idle | connecting → open → backoff → … → failed.
 *
 * Invoked only while this tab leads, so leaving leadership (or signing out) closes the stream by
 * construction. Each connect attempt is one `transport` invoke on `live`: leaving `live` closes
 * the source at once, so the browser's own EventSource auto-reconnect never runs beside ours.
 * With no topic in any tab there is nothing to stream: `idle`, and no request.
 */
import {
  and,
  assertEvent,
  assign,
  cancel,
  enqueueActions,
  fromCallback,
  raise,
  sendTo,
  setup,
} from 'xstate';
import { BACKOFF_DEFAULTS, type BackoffOptions, nextDelay } from '../src/backoff.js';
import type {
  BarrierEvent,
  ChannelCommand,
  ChannelSynced,
  Interest,
  LifecycleEvent,
  SharedEvent,
  SourceEvent,
  TabNotice,
  TransportCommand,
} from '../src/machine-events.js';
import type { ChannelBody } from '../src/protocol.js';
import type { ConnectionError, ConnectionStatus } from '../src/status.js';
import { enqueueToSystem } from '../src/system.js';
import { gapsOf, NO_RESUME_POINT, type ResumePoint, resumePointOf } from './tab.resume.js';

export type TransportKind = 'eventsource' | 'fetch';

/**
 * `tabcast`: the companion's multiplexed wire (topics and client id in the query, a `{ topic,
 * data }` envelope, control events). `plain`: any SSE endpoint, as it is.
 */
export type Wire = 'tabcast' | 'plain';

export interface ConnectionTiming {
  /** A connect that has not opened by then counts as a failure (a server that hangs). */
  connectTimeoutMs: number;
  /** An open stream with no bytes, event or heartbeat for this long is reconnected; 0: never. */
  stallTimeoutMs: number;
  /** Open this long and the attempt counter starts again from 0. */
  stableAfterMs: number;
  /** Topic changes are gathered this long before the one reconnect they cause. */
  topicsDebounceMs: number;
  /** After the server closed the stream (`server_close`), reconnect within this jitter. */
  serverCloseJitterMs: number;
}

export const CONNECTION_TIMING_DEFAULTS: ConnectionTiming = {
  connectTimeoutMs: 15_000,
  stallTimeoutMs: 45_000,
  stableAfterMs: 5_000,
  topicsDebounceMs: 50,
  serverCloseJitterMs: 1_000,
};

export interface ConnectionInput {
  /** The endpoint: the stream's name in the scope (every notice about it carries it). */
  url: string;
  wire: Wire;
  /** The scope, whose channel each attempt's barrier runs on. */
  scope: string;
  transport: TransportKind;
  /** The leader's tab id: the server replaces an older stream of the same client. */
  clientId: string;
  epoch: number;
  interest: Interest;
  /** The query parameter that carries the resume id for native EventSource; null: none. */
  lastEventIdParam: string | null;
  withCredentials: boolean;
  /** Whether this tab's page is hidden when the connection starts. */
  hidden: boolean;
  /**
   * A 401 is the session's: it refreshes credentials, and failing that signs the scope out.
   * Otherwise (the plain wire with no `refreshCredentials`) it is this endpoint's answer, as
   * `EventSource` takes it: the stream fails, the others go on.
   */
  sessionOn401: boolean;
  backoff?: BackoffOptions;
  timing?: ConnectionTiming;
}

export interface ConnectionContext {
  url: string;
  wire: Wire;
  scope: string;
  transport: TransportKind;
  clientId: string;
  epoch: number;
  interest: Interest;
  /** The topics the current (or last) attempt asked for. */
  streamTopics: string[];
  /**
   * Where the current attempt resumed from, read from the tab when it began; none when the
   * attempt cannot send a resume id (native EventSource without a query parameter).
   */
  resume: ResumePoint;
  lastEventIdParam: string | null;
  withCredentials: boolean;
  sessionOn401: boolean;
  backoff: BackoffOptions;
  timing: ConnectionTiming;
  /** Wall-clock time the stream last showed life (opened, a message, bytes, a heartbeat). */
  lastLifeAt: number;
  /** Consecutive failures; 0 after a stable open. */
  attempt: number;
  everOpened: boolean;
  retryDelayMs: number;
  retryAt: number | null;
  retryAfterMs: number | undefined;
  serverRetryMs: number | undefined;
  error: ConnectionError | null;
  /** The phase last reported, re-sent when a tab says hello. */
  phase: ConnectionStatus['phase'];
  /** Wall-clock time the current connect attempt times out. */
  connectDeadline: number;
  /** When this tab's next timer for the stream is due (with the phase last reported), or null. */
  deadline: number | null;
  /** Whether this tab's page is hidden: its timers run late, so it asks to be woken. */
  hidden: boolean;
}

export type ConnectionEvent =
  | BarrierEvent
  | SourceEvent
  | LifecycleEvent
  | SharedEvent
  | { type: 'topics.settled' };

type ReportedPhase = ConnectionStatus['phase'] | 'pending' | 'current';

/** What a transport actor gets: everything it needs to open one stream, nothing secret. */
export interface TransportInput {
  url: string;
  wire: Wire;
  transport: TransportKind;
  events: string[];
  withCredentials: boolean;
  lastEventId: string | null;
}

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

const sameList = (a: readonly string[], b: readonly string[]) =>
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
const TRY_LATER = new Set([408, 425, 429]);

/**
 * An answer that asking again unchanged will not change, as `EventSource` treats it: a 4xx but
 * the try-later ones (a 401 of the session's is taken before), a 2xx or 3xx that is not the
 * stream (a 200 that is no `text/event-stream` among them). A 5xx or a network error is tried
 * again.
 */
const isRefusal = (status: number | undefined) =>
  status !== undefined && status !== 204 && status < 500 && !TRY_LATER.has(status);

/** The longest delay a timer takes (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** Whether an attempt can tell the server where it stands: a header, or a named parameter. */
const sendsResumeId = (context: ConnectionContext) =>
  context.transport === 'fetch' || context.lastEventIdParam !== null;

function httpFailureCode(status: number | undefined, wire: Wire): ConnectionError['code'] {
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
function enqueueFollowersAndTab(
  enqueue: Parameters<typeof enqueueToSystem>[0],
  system: Parameters<typeof enqueueToSystem>[1],
  notice: TabNotice,
  body: ChannelBody,
) {
  const post: ChannelCommand = { type: 'channel.post', body };
  enqueueToSystem(enqueue, system, 'channel', post);
  enqueueToSystem(enqueue, system, 'tab', notice);
}

export const connectionMachine = /* @__PURE__ */ setup({
  types: {
    context: {} as ConnectionContext,
    input: {} as ConnectionInput,
    events: {} as ConnectionEvent,
  },
  actors: {
    /** Opens one stream; provided by `createTabcast` with the platform's EventSource or fetch. */
    transport: fromCallback<TransportCommand, TransportInput>(() => () => {}),
    /** The barrier before each connect; provided by `createTabcast` (a chart alone has none). */
    barrier: fromCallback<ChannelSynced, { scope: string; tabId: string }>(({ sendBack }) => {
      sendBack({ type: 'barrier.passed', at: Date.now() } satisfies BarrierEvent);
      return () => {};
    }),
  },
  delays: {
    connectTimeout: ({ context }) => context.timing.connectTimeoutMs,
    /** Default clock; `createTabcast` provides one bound to the platform. */
    stallCheck: ({ context }) => untilStalled(context, Date.now()),
    stableAfter: ({ context }) => context.timing.stableAfterMs,
    topicsDebounce: ({ context }) => context.timing.topicsDebounceMs,
    reconnectDelay: ({ context }) => context.retryDelayMs,
  },
  guards: {
    /** Default clock; `createTabcast` provides one bound to the platform. */
    isStalled: ({ context }) => untilStalled(context, Date.now()) === 0,
    /** Default clock; `createTabcast` provides one bound to the platform. */
    isConnectOverdue: ({ context }) => Date.now() >= context.connectDeadline,
    /** Default clock; `createTabcast` provides one bound to the platform. */
    isRetryDue: ({ context }) => context.retryAt !== null && Date.now() >= context.retryAt,
    isUnauthorized: ({ context, event }) =>
      event.type === 'source.error' && event.status === 401 && context.sessionOn401,
    isRejected: ({ event }) => event.type === 'source.error' && isRefusal(event.status),
    isNoContent: ({ event }) => event.type === 'source.error' && event.status === 204,
    hasNoTopics: ({ context }) => context.interest.topics.length === 0,
    wantsNoTopic: ({ event }) =>
      event.type === 'interest.changed' && event.interest.topics.length === 0,
    canRetry: ({ context }) => context.attempt + 1 < context.backoff.maxAttempts,
    canRetryOverdue: and(['isConnectOverdue', 'canRetry']),
    canRetryStalled: and(['isStalled', 'canRetry']),
    /** The server refused the topics, and another set is asked for. */
    isRefusedTopicSetChanged: and(['wasRefused', 'isNewTopicSet']),
    isNewInterest: ({ context, event }) =>
      event.type === 'interest.changed' &&
      !(
        sameList(context.interest.topics, event.interest.topics) &&
        sameList(context.interest.events, event.interest.events)
      ),
    isNewTopicSet: ({ context, event }) =>
      event.type === 'interest.changed' && !sameList(context.streamTopics, event.interest.topics),
    wasRefused: ({ context }) => isRefusal(context.error?.status),
    isServerClose: ({ event }) =>
      event.type === 'source.control' && event.control === 'server_close',
    isReset: ({ event }) => event.type === 'source.control' && event.control === 'reset',
    isForceLogout: ({ event }) =>
      event.type === 'source.control' && event.control === 'force_logout',
  },
  actions: {
    /** Records the phase and reports it to this tab's root and to every follower. */
    reportPhase: enqueueActions(
      ({ context, system, enqueue }, params: { phase: ReportedPhase }) => {
        const phase =
          params.phase === 'current'
            ? context.phase
            : params.phase === 'pending'
              ? context.everOpened
                ? 'reconnecting'
                : 'connecting'
              : params.phase;
        // When this tab's next timer for the stream is due: a hidden tab's run late, so it asks
        // a visible follower to wake it then.
        const deadline =
          params.phase === 'current'
            ? context.deadline
            : params.phase === 'pending'
              ? context.connectDeadline
              : params.phase === 'reconnecting'
                ? context.retryAt
                : null;
        const wakeAt = context.hidden ? deadline : null;
        const report = {
          stream: context.url,
          status: connectionStatus(phase, context),
          epoch: context.epoch,
          topics: context.streamTopics,
        };
        enqueue.assign({ phase, deadline });
        enqueueFollowersAndTab(
          enqueue,
          system,
          { type: 'status.connection', ...report },
          { type: 'state', ...report, wakeAt },
        );
      },
    ),
    setInterest: assign({
      interest: ({ context, event }) =>
        event.type === 'interest.changed' ? event.interest : context.interest,
    }),
    forwardEventNames: sendTo('transport', ({ context }) => ({
      type: 'transport.events' as const,
      events: context.interest.events,
    })),
    scheduleResubscribe: enqueueActions(({ enqueue }) => {
      enqueue(cancel('topicsDebounce'));
      enqueue(raise({ type: 'topics.settled' }, { id: 'topicsDebounce', delay: 'topicsDebounce' }));
    }),
    /** An attempt carries the topics wanted now, from where the tab's ledger stands now. */
    beginAttempt: assign({
      streamTopics: ({ context }) => context.interest.topics,
      resume: ({ context, system }) =>
        sendsResumeId(context) ? resumePointOf(system, context.url) : NO_RESUME_POINT,
    }),
    /**
     * The stream is open: tells this tab and every follower, once, with the topics whose
     * continuity the resume point cannot prove. Each tab decides which subscriptions resync.
     */
    reportOpened: enqueueActions(({ context, system, enqueue }) => {
      const status = connectionStatus('open', context);
      const opened = {
        stream: context.url,
        epoch: context.epoch,
        status,
        topics: context.streamTopics,
        gaps: gapsOf(context.streamTopics, context.resume),
        resumed: context.resume.lastEventId !== null,
      };
      enqueue.assign({ phase: 'open' });
      enqueueFollowersAndTab(
        enqueue,
        system,
        { type: 'stream.opened', ...opened },
        { type: 'opened', ...opened },
      );
    }),
    /** The server cannot replay: none of the stream's topics is continuous; resume from `id`. */
    reportReset: enqueueActions(({ context, event, system, enqueue }) => {
      if (event.type !== 'source.control') return;
      const reset = { stream: context.url, id: event.id, topics: context.streamTopics };
      enqueueFollowersAndTab(
        enqueue,
        system,
        { type: 'stream.reset', ...reset },
        { type: 'reset', epoch: context.epoch, ...reset },
      );
    }),
    markOpened: assign({ everOpened: true, error: null, retryAfterMs: undefined }),
    resetAttempt: assign({ attempt: 0 }),
    /** Relays a batch to every follower in one message, then delivers it in this tab. */
    relayEvents: enqueueActions(({ context, event, system, enqueue }) => {
      assertEvent(event, 'source.messages');
      const batch = { stream: context.url, events: event.messages };
      enqueueFollowersAndTab(
        enqueue,
        system,
        { type: 'delivery.events', ...batch },
        { type: 'events', epoch: context.epoch, ...batch },
      );
    }),
    /** The stream showed life: the stall check measures from here. */
    noteLife: assign({
      lastLifeAt: ({ context, event }) => ('at' in event ? event.at : context.lastLifeAt),
    }),
    rememberServerRetry: assign({
      serverRetryMs: ({ context, event }) =>
        event.type === 'source.retryHint' ? event.ms : context.serverRetryMs,
    }),
    /** Counts a failure; `retryAfterMs` lives only until the next delay is planned. */
    setHidden: assign((_, params: { hidden: boolean }) => params),
    setConnectDeadline: assign(({ context }, params: { at: number }) => ({
      connectDeadline: params.at + context.timing.connectTimeoutMs,
    })),
    cancelTopicsDebounce: cancel('topicsDebounce'),
    recordFailure: assign(({ context, event }, params: { code?: ConnectionError['code'] }) => {
      const failure = event.type === 'source.error' ? event : undefined;
      const status = failure?.status;
      const code = params.code ?? failure?.code ?? httpFailureCode(status, context.wire);
      return {
        attempt: context.attempt + 1,
        error: { code, status },
        retryAfterMs: event.type === 'source.error' ? event.retryAfterMs : undefined,
      };
    }),
    markGaveUp: assign({
      error: ({ context }) =>
        isRefusal(context.error?.status)
          ? context.error
          : { code: 'max_attempts' as const, status: context.error?.status },
    }),
    /** Default jitter source; `createTabcast` provides one bound to the platform. */
    scheduleRetry: assign(({ context }) => planRetry(context, Math.random, Date.now)),
    scheduleServerCloseRetry: assign(({ context }) =>
      planServerCloseRetry(context, Math.random, Date.now),
    ),
    tellSession: enqueueActions(({ system, enqueue }, params: { event: SharedEvent }) => {
      enqueueToSystem(enqueue, system, 'session', params.event);
    }),
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    url: input.url,
    wire: input.wire,
    scope: input.scope,
    transport: input.transport,
    clientId: input.clientId,
    epoch: input.epoch,
    interest: input.interest,
    streamTopics: input.interest.topics,
    resume: NO_RESUME_POINT,
    lastEventIdParam: input.lastEventIdParam,
    withCredentials: input.withCredentials,
    sessionOn401: input.sessionOn401,
    backoff: input.backoff ?? BACKOFF_DEFAULTS,
    timing: input.timing ?? CONNECTION_TIMING_DEFAULTS,
    lastLifeAt: 0,
    attempt: 0,
    everOpened: false,
    retryDelayMs: 0,
    retryAt: null,
    retryAfterMs: undefined,
    serverRetryMs: undefined,
    error: null,
    phase: 'connecting',
    connectDeadline: 0,
    deadline: null,
    hidden: input.hidden,
  }),
  initial: 'starting',
  on: {
    // Nothing left to stream: waiting, failed or closed, the connection has no reason to exist.
    'interest.changed': [
      { guard: 'wantsNoTopic', target: '.idle', actions: 'setInterest' },
      { guard: 'isNewInterest', actions: 'setInterest' },
    ],
    'source.retryHint': { actions: 'rememberServerRetry' },
    'peer.hello': { actions: { type: 'reportPhase', params: { phase: 'current' } } },
    // Hidden, a deadline is worth a wake; visible again, it is not: followers hear which.
    'lifecycle.visibility': {
      actions: [
        { type: 'setHidden', params: ({ event }) => ({ hidden: !event.visible }) },
        { type: 'reportPhase', params: { phase: 'current' } },
      ],
    },
  },
  states: {
    /** Where each stream begins: an attempt when some tab wants a topic, else `idle`. */
    starting: {
      always: [{ guard: 'hasNoTopics', target: 'idle' }, { target: 'syncing' }],
    },
    /**
     * The decision to connect waits for one round trip on the scope's channel, so it is never
     * taken on a view older than a message already posted: a logout in another tab as the lock
     * is granted here, or as a retry is asked for, is heard first, and nothing connects.
     */
    syncing: {
      invoke: {
        id: 'barrier',
        src: 'barrier',
        input: ({ context }) => ({ scope: context.scope, tabId: context.clientId }),
      },
      on: {
        'barrier.passed': {
          target: 'live',
          actions: { type: 'setConnectDeadline', params: ({ event }) => ({ at: event.at }) },
        },
      },
    },
    /** No tab wants a topic: no request, no timer. The first subscription starts a stream. */
    idle: {
      entry: ['resetAttempt', { type: 'reportPhase', params: { phase: 'idle' } }],
      on: {
        'interest.changed': [
          { guard: 'wantsNoTopic', actions: 'setInterest' },
          { target: 'starting', actions: 'setInterest' },
        ],
      },
    },
    /** One stream attempt, from connect to close: the transport lives exactly this long. */
    live: {
      entry: 'beginAttempt',
      invoke: {
        id: 'transport',
        src: 'transport',
        input: ({ context }) => ({
          url: streamUrl(context),
          wire: context.wire,
          transport: context.transport,
          events: context.interest.events,
          withCredentials: context.withCredentials,
          lastEventId: context.resume.lastEventId,
        }),
      },
      exit: 'cancelTopicsDebounce',
      initial: 'connecting',
      on: {
        'source.messages': { actions: ['noteLife', 'relayEvents'] },
        'source.activity': { actions: 'noteLife' },
        'source.error': [
          // The topics went while the debounce ran: nothing to reconnect for.
          { guard: 'hasNoTopics', target: 'idle' },
          { guard: 'isUnauthorized', target: 'unauthorized' },
          { guard: 'isRejected', target: 'failed', actions: { type: 'recordFailure', params: {} } },
          { guard: 'isNoContent', target: 'closed' },
          { guard: 'canRetry', target: 'backoff', actions: { type: 'recordFailure', params: {} } },
          { target: 'failed', actions: { type: 'recordFailure', params: {} } },
        ],
        'source.control': [
          { guard: 'isServerClose', target: 'serverClosed' },
          { guard: 'isReset', actions: ['noteLife', 'reportReset'] },
          {
            guard: 'isForceLogout',
            actions: { type: 'tellSession', params: { event: { type: 'server.forceLogout' } } },
          },
          // A heartbeat, or a control event this client does not know: a sign of life.
          { actions: 'noteLife' },
        ],
        'interest.changed': [
          // Each change (to no topic too) waits out the debounce: a remount drops nothing.
          {
            guard: 'isNewTopicSet',
            actions: ['setInterest', 'forwardEventNames', 'scheduleResubscribe'],
          },
          // Back to the topics the stream carries (or only event names changed): no reconnect.
          {
            guard: 'isNewInterest',
            actions: ['setInterest', 'forwardEventNames', 'cancelTopicsDebounce'],
          },
        ],
        'topics.settled': { target: 'starting' },
      },
      states: {
        connecting: {
          entry: { type: 'reportPhase', params: { phase: 'pending' } },
          after: {
            connectTimeout: [
              {
                guard: 'canRetry',
                target: '#connection.backoff',
                actions: { type: 'recordFailure', params: { code: 'timeout' } },
              },
              {
                target: '#connection.failed',
                actions: { type: 'recordFailure', params: { code: 'timeout' } },
              },
            ],
          },
          on: {
            'source.open': { target: 'open', actions: 'noteLife' },
            // A hidden tab's timer may be late: a visible follower's wake settles it on time.
            'clock.check': [
              {
                guard: 'canRetryOverdue',
                target: '#connection.backoff',
                actions: { type: 'recordFailure', params: { code: 'timeout' } },
              },
              {
                guard: 'isConnectOverdue',
                target: '#connection.failed',
                actions: { type: 'recordFailure', params: { code: 'timeout' } },
              },
            ],
          },
        },
        open: {
          entry: [
            'markOpened',
            { type: 'tellSession', params: { event: { type: 'auth.confirmed' } } },
            'reportOpened',
          ],
          after: {
            stableAfter: {
              actions: ['resetAttempt', { type: 'reportPhase', params: { phase: 'open' } }],
            },
          },
          initial: 'receiving',
          states: {
            /**
             * The stall check wakes when the stream would have been quiet too long, measured from
             * its last sign of life; quiet that long, it is given up, else it waits the rest.
             */
            receiving: {
              after: {
                stallCheck: [
                  {
                    guard: 'canRetryStalled',
                    target: '#connection.backoff',
                    actions: { type: 'recordFailure', params: { code: 'stalled' } },
                  },
                  {
                    guard: 'isStalled',
                    target: '#connection.failed',
                    actions: { type: 'recordFailure', params: { code: 'stalled' } },
                  },
                  { target: 'receiving', reenter: true },
                ],
              },
            },
          },
        },
      },
    },
    /** Waiting out the reconnect delay; `retry()` or coming back online skips it. */
    backoff: {
      entry: ['scheduleRetry', { type: 'reportPhase', params: { phase: 'reconnecting' } }],
      after: { reconnectDelay: { target: 'starting' } },
      on: {
        'connection.retry': { target: 'starting', actions: 'resetAttempt' },
        'lifecycle.online': { target: 'starting' },
        'clock.check': { guard: 'isRetryDue', target: 'starting' },
      },
    },
    /** The server said 401: the session refreshes credentials, then the stream reconnects. */
    unauthorized: {
      entry: { type: 'tellSession', params: { event: { type: 'auth.expired' } } },
      on: {
        'auth.refreshed': { target: 'starting' },
        'connection.retry': { target: 'starting', actions: 'resetAttempt' },
      },
    },
    /** The server closed the stream on purpose (`replaced`, `shutdown`): back soon, jittered. */
    serverClosed: {
      entry: [
        'scheduleServerCloseRetry',
        { type: 'reportPhase', params: { phase: 'reconnecting' } },
      ],
      after: { reconnectDelay: { target: 'starting' } },
      on: {
        'connection.retry': { target: 'starting' },
        'clock.check': { guard: 'isRetryDue', target: 'starting' },
      },
    },
    /** Gave up (too many attempts, or the server rejected the topics): only `retry()` leaves. */
    failed: {
      entry: ['markGaveUp', { type: 'reportPhase', params: { phase: 'failed' } }],
      on: {
        'connection.retry': { target: 'starting', actions: 'resetAttempt' },
        // The server refused the topics: a different set deserves a new try.
        'interest.changed': [
          { guard: 'wantsNoTopic', target: 'idle', actions: 'setInterest' },
          {
            guard: 'isRefusedTopicSetChanged',
            target: 'starting',
            actions: ['setInterest', 'resetAttempt'],
          },
          { guard: 'isNewInterest', actions: 'setInterest' },
        ],
      },
    },
    /** The server answered 204: it wants no stream. Only `retry()` leaves. */
    closed: {
      entry: { type: 'reportPhase', params: { phase: 'closed' } },
      on: { 'connection.retry': { target: 'starting', actions: 'resetAttempt' } },
    },
  },
});

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
