/**
 * What the connection chart's names do: its actors, delays, guards and actions. The chart itself,
 * read top to bottom, is connection.machine.ts.
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
import type {
  ConnectionContext,
  ConnectionEvent,
  ConnectionInput,
  ReportedPhase,
  TransportInput,
} from './connection.types.js';
import {
  connectionStatus,
  connectOverdue,
  enqueueFollowersAndTab,
  httpFailureCode,
  isRefusal,
  planRetry,
  planServerCloseRetry,
  retryDue,
  sameList,
  sendsResumeId,
  untilStalled,
} from './connection.utils.js';
import type { BarrierEvent, ChannelSynced, SharedEvent, TransportCommand } from './events.js';
import type { ConnectionError } from './status.js';
import { enqueueToSystem } from './system.js';
import { gapsOf, NO_RESUME_POINT, resumePointOf } from './tab.resume.js';

/**
 * A function, so that a page importing nothing of the chart (`nextDelay` alone) drops it: a
 * bundler keeps a top-level call it cannot prove pure, and this one it can.
 */
/* @__NO_SIDE_EFFECTS__ */
export function connectionSetup() {
  return setup({
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
      isConnectOverdue: ({ context }) => connectOverdue(context, Date.now()),
      /** Default clock; `createTabcast` provides one bound to the platform. */
      isRetryDue: ({ context }) => retryDue(context, Date.now()),
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
      setInterest: assign(({ event }) => {
        assertEvent(event, 'interest.changed');
        return { interest: event.interest };
      }),
      forwardEventNames: sendTo('transport', ({ context }) => ({
        type: 'transport.events' as const,
        events: context.interest.events,
      })),
      scheduleResubscribe: enqueueActions(({ enqueue }) => {
        enqueue(cancel('topicsDebounce'));
        enqueue(
          raise({ type: 'topics.settled' }, { id: 'topicsDebounce', delay: 'topicsDebounce' }),
        );
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
          resumedFrom: context.resume.lastEventId,
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
        assertEvent(event, 'source.control');
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
  });
}
