/**
 * tab — the root: one per document. Composes the session (which composes leadership and the
 * connection), keeps this tab's subscriptions, drops duplicate events, owns the resume point
 * and decides which subscriptions resync, and keeps the one status snapshot the app reads.
 * Events and resync notices leave through `emit`, so the handle (or a test) listens with
 * `actor.on('delivery' | 'resync', …)`. Off the browser (no `window`) it stays `inert`.
 */
import { assertEvent, assign, enqueueActions, setup } from 'xstate';
import {
  type DeliveryLedger,
  emptyLedger,
  moveResumePoint,
  RecentKeys,
  recordDelivery,
} from './delivery.js';
import type { SseMessage, TabNotice } from './events.js';
import { type SessionInput, sessionMachine } from './session.machine.js';
import {
  combineStreams,
  INERT_STATUS,
  patchStatus,
  SIGNED_OUT_STATUS,
  type TabcastStatus,
} from './status.js';
import {
  gapsHere,
  interestOf,
  planResync,
  releasesEndedBy,
  sameInterest,
  type TabSubscriptions,
} from './tab.utils.js';

export interface TabInput extends SessionInput {
  /** No page to run in (server-side rendering, Node): accept every call, do nothing. */
  inert: boolean;
}

/** What this tab delivered of one stream: where a stream it leads resumes, and for which topics. */
export interface StreamDelivery {
  /** The resume point and the dedupe set. */
  ledger: DeliveryLedger;
  /** The topics of the stream the ledger's resume point came from (the leader's last open one). */
  provenTopics: string[];
}

export interface TabContext {
  tabId: string;
  /** What the session is started with. */
  settings: TabInput;
  status: TabcastStatus;
  /** The term the streams of `status` were reported in: a newer leader's start afresh. */
  streamsEpoch: number;
  /** By stream (its endpoint): the one resume point of each, for every stream this tab leads. */
  deliveries: Record<string, StreamDelivery>;
  /** This tab's subscriptions, by the handle's id. */
  subscriptions: TabSubscriptions;
  /** Events dropped because this tab delivered them already. */
  duplicatesDropped: number;
}

export type TabEvent =
  | TabNotice
  | { type: 'auth.login'; userId: string }
  | { type: 'auth.logout' }
  | { type: 'connection.retry' }
  | { type: 'subscription.add'; id: string; topic: string; events: string[] }
  | { type: 'subscription.remove'; id: string }
  /** The handle let go, and the topic stays in the union `graceMs` longer (see `deferRemoval`). */
  | { type: 'subscription.release'; id: string; graceMs: number }
  | { type: 'tab.dispose' };

/** The id of the delayed removal of a releasing subscription, to cancel it. */
const removalOf = (id: string) => `subscription.remove:${id}`;

/** A stream this tab has delivered nothing of yet. */
const newDelivery = (): StreamDelivery => ({ ledger: emptyLedger(), provenTopics: [] });

/** What the tab root emits for the handle. */
export type TabEmitted =
  /** New events of one stream, in order. */
  | { type: 'delivery'; stream: string; events: SseMessage[] }
  /** These subscriptions (by id) must refetch the state their events apply to. */
  | { type: 'resync'; subscriptions: string[] };

export const tabMachine = /* @__PURE__ */ setup({
  types: {
    context: {} as TabContext,
    input: {} as TabInput,
    events: {} as TabEvent,
    emitted: {} as TabEmitted,
  },
  actors: { session: sessionMachine },
  delays: {
    releaseGrace: ({ event }) => {
      assertEvent(event, 'subscription.release');
      return event.graceMs;
    },
  },
  guards: {
    isInert: ({ context }) => context.settings.inert,
    /** A signed-out tab delivers nothing (a leader's relay may still be in flight). */
    isSignedOut: ({ context }) => context.status.phase === 'signedOut',
    isOtherUser: ({ context, event }) =>
      event.type === 'auth.login' && event.userId !== context.status.userId,
  },
  actions: {
    forwardToSession: enqueueActions(({ event, enqueue }) => enqueue.sendTo('session', event)),
    /** A sign-in starts a fresh ledger: one user's resume point never reaches another's stream. */
    forgetResumePoint: assign({ deliveries: {} }),
    /**
     * Adds or removes one subscription; the leader hears of it only when the interest changed. A
     * new topic ends the releases still waiting, in the same change: one reconnect for both.
     */
    changeSubscriptions: enqueueActions(({ context, event, enqueue }) => {
      const subscriptions = { ...context.subscriptions };
      if (event.type === 'subscription.add') {
        const { id, topic, events } = event;
        for (const released of releasesEndedBy(context.subscriptions, topic)) {
          enqueue.cancel(removalOf(released));
          delete subscriptions[released];
        }
        subscriptions[id] = { topic, events, awaitingResync: true, releasing: false };
      } else if (event.type === 'subscription.remove') {
        delete subscriptions[event.id];
      }
      enqueue.assign({ subscriptions });
      const interest = interestOf(subscriptions);
      if (!sameInterest(interest, interestOf(context.subscriptions))) {
        enqueue.sendTo('session', { type: 'interest.changed', interest });
      }
    }),
    /**
     * Marks the subscription releasing and removes it when its grace delay ends. Until then its
     * topic stays in the union, so StrictMode's second mount or the next page's subscription to
     * the same topic finds it there and the stream is not reconnected; the handle already
     * delivers it nothing.
     */
    deferRemoval: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'subscription.release');
      const subscription = context.subscriptions[event.id];
      if (!subscription) return;
      enqueue.assign({
        subscriptions: {
          ...context.subscriptions,
          [event.id]: { ...subscription, releasing: true },
        },
      });
      enqueue.raise(
        { type: 'subscription.remove', id: event.id },
        { id: removalOf(event.id), delay: 'releaseGrace' },
      );
    }),
    /**
     * The one place resync is decided: subscriptions of the `gaps`, and new subscriptions whose
     * topic an open stream carries. Runs after every change that could ask for one.
     */
    resync: enqueueActions(({ context, enqueue }, params: { gaps: readonly string[] }) => {
      if (context.status.phase === 'signedOut') return;
      const streamed = Object.entries(context.status.streams).flatMap(([stream, status]) =>
        status.phase === 'open' ? (context.deliveries[stream]?.provenTopics ?? []) : [],
      );
      const plan = planResync(context.subscriptions, { gaps: params.gaps, streamed });
      if (plan.ids.length === 0) return;
      enqueue.assign({ subscriptions: plan.subscriptions });
      enqueue.emit({ type: 'resync', subscriptions: plan.ids });
    }),
    /**
     * Delivers each event of a batch once: a duplicate (a replay, a relay in flight) is counted
     * and dropped; the rest leave in one `delivery`.
     */
    deliverOnce: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'delivery.events');
      const { stream } = event;
      const delivery = context.deliveries[stream] ?? newDelivery();
      let { ledger } = delivery;
      const events = event.events.filter((delivered) => {
        const next = recordDelivery(ledger, delivered);
        if (next === null) return false;
        ledger = next;
        return true;
      });
      const dropped = event.events.length - events.length;
      if (dropped > 0) enqueue.assign({ duplicatesDropped: context.duplicatesDropped + dropped });
      if (delivery !== context.deliveries[stream] || ledger !== delivery.ledger) {
        enqueue.assign({
          deliveries: { ...context.deliveries, [stream]: { ...delivery, ledger } },
        });
      }
      if (events.length > 0) enqueue.emit({ type: 'delivery', stream, events });
    }),
    /**
     * A stream's status, from the leader. An open stream's topics are the ones its resume point
     * vouches for; a stream that opened without a resume id starts a fresh sequence of ids.
     */
    applyConnectionStatus: assign(({ context, event }) => {
      assertEvent(event, ['status.connection', 'stream.opened']);
      const kept = event.epoch > context.streamsEpoch ? {} : context.status.streams;
      const streams = { ...kept, [event.stream]: event.status };
      const status = patchStatus(context.status, {
        ...combineStreams(streams),
        epoch: event.epoch,
        streams,
      });
      const streamsEpoch = Math.max(context.streamsEpoch, event.epoch);
      // No tab wants the stream any more: whoever wants it next starts afresh.
      if (event.status.phase === 'idle') {
        const { [event.stream]: _forgotten, ...deliveries } = context.deliveries;
        return { status, streamsEpoch, deliveries };
      }
      if (event.status.phase !== 'open') return { status, streamsEpoch };
      const delivery = context.deliveries[event.stream] ?? newDelivery();
      const fresh = event.type === 'stream.opened' && event.resumedFrom === null;
      const opened: StreamDelivery = {
        ledger: fresh ? { ...delivery.ledger, recent: new RecentKeys() } : delivery.ledger,
        provenTopics: event.topics,
      };
      return {
        status,
        streamsEpoch,
        deliveries: { ...context.deliveries, [event.stream]: opened },
      };
    }),
    applyReset: assign(({ context, event }) => {
      assertEvent(event, 'stream.reset');
      const delivery = context.deliveries[event.stream] ?? newDelivery();
      const ledger = moveResumePoint(delivery.ledger, event.id);
      return { deliveries: { ...context.deliveries, [event.stream]: { ...delivery, ledger } } };
    }),
    applyRole: assign(({ context, event }) => {
      assertEvent(event, 'status.role');
      const { role, mode, epoch } = event;
      return { status: patchStatus(context.status, { role, mode, epoch }) };
    }),
    applySession: assign(({ context, event }) => {
      assertEvent(event, 'status.session');
      if (event.userId === null) return { status: SIGNED_OUT_STATUS, deliveries: {} };
      if (context.status.userId === event.userId) return {};
      return {
        status: { ...SIGNED_OUT_STATUS, phase: 'connecting' as const, userId: event.userId },
      };
    }),
  },
}).createMachine({
  id: 'tab',
  context: ({ input }) => ({
    tabId: input.tabId,
    settings: input,
    status: input.inert ? INERT_STATUS : SIGNED_OUT_STATUS,
    streamsEpoch: 0,
    deliveries: {},
    subscriptions: {},
    duplicatesDropped: 0,
  }),
  initial: 'starting',
  states: {
    /** Off the browser there is nothing to share and nothing to connect: stay inert. */
    starting: {
      always: [{ guard: 'isInert', target: 'inert' }, { target: 'active' }],
    },
    /** Accepts every call and does nothing: no channel, lock, timer or request. */
    inert: {
      on: { 'tab.dispose': { target: 'disposed' } },
    },
    active: {
      invoke: {
        id: 'session',
        systemId: 'session',
        src: 'session',
        input: ({ context }) => context.settings,
      },
      on: {
        'auth.login': [
          { guard: 'isOtherUser', actions: ['forgetResumePoint', 'forwardToSession'] },
          { actions: 'forwardToSession' },
        ],
        'auth.logout': { actions: 'forwardToSession' },
        'connection.retry': { actions: 'forwardToSession' },
        'subscription.add': {
          actions: ['changeSubscriptions', { type: 'resync', params: { gaps: [] } }],
        },
        'subscription.remove': { actions: 'changeSubscriptions' },
        'subscription.release': { actions: 'deferRemoval' },
        'delivery.events': [{ guard: 'isSignedOut' }, { actions: 'deliverOnce' }],
        'stream.opened': [
          { guard: 'isSignedOut' },
          {
            actions: [
              'applyConnectionStatus',
              {
                type: 'resync',
                params: ({ context, event }) => ({
                  gaps: gapsHere(event, context.deliveries[event.stream]?.ledger.lastEventId),
                }),
              },
            ],
          },
        ],
        'stream.reset': [
          { guard: 'isSignedOut' },
          {
            actions: [
              'applyReset',
              { type: 'resync', params: ({ event }) => ({ gaps: event.topics }) },
            ],
          },
        ],
        'status.connection': [
          { guard: 'isSignedOut' },
          { actions: ['applyConnectionStatus', { type: 'resync', params: { gaps: [] } }] },
        ],
        'status.role': [{ guard: 'isSignedOut' }, { actions: 'applyRole' }],
        'status.session': { actions: 'applySession' },
        'tab.dispose': { target: 'disposed' },
      },
    },
    /** Stopped for good: the session and everything under it are gone. */
    disposed: { type: 'final' },
  },
});
