/**
 * connection — the leader's one stream: idle | connecting → open → backoff → … → failed.
 *
 * Invoked only while this tab leads, so leaving leadership (or signing out) closes the stream by
 * construction. Each connect attempt is one `transport` invoke on `live`: leaving `live` closes
 * the source at once, so the browser's own EventSource auto-reconnect never runs beside ours.
 * With no topic in any tab there is nothing to stream: `idle`, and no request.
 */
import { BACKOFF_DEFAULTS } from './backoff.js';
import { connectionSetup } from './connection.setup.js';
import { CONNECTION_TIMING_DEFAULTS, streamUrl } from './connection.utils.js';
import { NO_RESUME_POINT } from './tab.resume.js';

export const connectionMachine = /* @__PURE__ */ connectionSetup().createMachine({
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
