/**
 * tab — the root: one per document. Composes the session (which composes leadership and the
 * connection), counts this tab's subscriptions, drops duplicate events and keeps the one status
 * snapshot the app reads. Events and resync notices leave through `emit`, so the handle (or a
 * test) listens with `actor.on('delivery' | 'resync', …)`.
 */
import { assign, emit, not, sendTo, setup } from 'xstate';
import { type DeliveryLedger, EMPTY_LEDGER, recordDelivery } from '../src/delivery.js';
import type { Interest, TabNotice } from '../src/machine-events.js';
import { SIGNED_OUT_STATUS, type TabcastStatus } from '../src/status.js';
import { type SessionInput, sessionMachine } from './session.machine.js';

export type TabInput = SessionInput;

export interface TabContext {
  tabId: string;
  /** What the session is started with. */
  settings: TabInput;
  status: TabcastStatus;
  ledger: DeliveryLedger;
  /** The topics of the stream the ledger's resume point came from (the leader's last open one). */
  provenTopics: string[];
  /** How many subscriptions of this tab want each topic. */
  topicCounts: Record<string, number>;
  /** How many subscriptions of this tab listen to each event name. */
  eventCounts: Record<string, number>;
  /** Events dropped because this tab delivered them already. */
  duplicatesDropped: number;
}

export type TabEvent =
  | TabNotice
  | { type: 'auth.login'; userId: string }
  | { type: 'auth.logout' }
  | { type: 'connection.retry' }
  | { type: 'subscription.add'; topic: string; events: string[] }
  | { type: 'subscription.remove'; topic: string; events: string[] }
  | { type: 'tab.dispose' };

/** What the tab root emits for the handle. */
export type TabEmitted =
  | { type: 'delivery'; id: string | null; event: string; data: string }
  | { type: 'resync'; topics: string[] };

const adjust = (counts: Record<string, number>, keys: string[], by: 1 | -1) => {
  const next = { ...counts };
  for (const key of keys) {
    const count = (next[key] ?? 0) + by;
    if (count > 0) next[key] = count;
    else delete next[key];
  }
  return next;
};

/** This tab's interest, sorted, as the leader compares it. */
export function interestOf(context: Pick<TabContext, 'topicCounts' | 'eventCounts'>): Interest {
  return {
    topics: Object.keys(context.topicCounts).sort(),
    events: Object.keys(context.eventCounts).sort(),
  };
}

export const tabMachine = setup({
  types: {
    context: {} as TabContext,
    input: {} as TabInput,
    events: {} as TabEvent,
    emitted: {} as TabEmitted,
  },
  actors: { session: sessionMachine },
  guards: {
    /** A signed-out tab delivers nothing (a leader's relay may still be in flight). */
    isSignedOut: ({ context }) => context.status.phase === 'signedOut',
    isNewEvent: ({ context, event }) =>
      event.type === 'delivery.event' && recordDelivery(context.ledger, event.id) !== null,
  },
  actions: {
    forwardToSession: sendTo('session', ({ event }) => event),
    countSubscription: assign(({ context, event }) => {
      if (event.type !== 'subscription.add' && event.type !== 'subscription.remove') return {};
      const by = event.type === 'subscription.add' ? 1 : -1;
      return {
        topicCounts: adjust(context.topicCounts, [event.topic], by),
        eventCounts: adjust(context.eventCounts, event.events, by),
      };
    }),
    announceInterest: sendTo('session', ({ context }) => ({
      type: 'interest.changed' as const,
      interest: interestOf(context),
    })),
    recordDelivery: assign(({ context, event }) => {
      if (event.type !== 'delivery.event') return {};
      const ledger = recordDelivery(context.ledger, event.id) ?? context.ledger;
      return { ledger, status: { ...context.status, lastEventId: ledger.lastEventId } };
    }),
    emitDelivery: emit(({ event }) => {
      const { id, data } = event as Extract<TabEvent, { type: 'delivery.event' }>;
      return { type: 'delivery' as const, id, event: (event as { event: string }).event, data };
    }),
    countDuplicate: assign({ duplicatesDropped: ({ context }) => context.duplicatesDropped + 1 }),
    emitResync: emit(({ event }) => ({
      type: 'resync' as const,
      topics: event.type === 'delivery.resync' ? event.topics : [],
    })),
    applyConnectionStatus: assign(({ context, event }) => {
      if (event.type !== 'status.connection' || context.status.phase === 'signedOut') return {};
      return {
        status: { ...context.status, ...event.status, epoch: event.epoch },
        provenTopics: event.topics,
      };
    }),
    applyRole: assign({
      status: ({ context, event }) =>
        event.type === 'status.role' && context.status.phase !== 'signedOut'
          ? { ...context.status, role: event.role, mode: event.mode, epoch: event.epoch }
          : context.status,
    }),
    /** A sign-in starts a fresh ledger: one user's resume point never reaches another's stream. */
    applySession: assign(({ context, event }) => {
      if (event.type !== 'status.session') return {};
      if (event.userId === null) {
        return { status: SIGNED_OUT_STATUS, ledger: EMPTY_LEDGER, provenTopics: [] };
      }
      if (context.status.userId === event.userId) return {};
      return {
        ledger: EMPTY_LEDGER,
        provenTopics: [],
        status: { ...SIGNED_OUT_STATUS, phase: 'connecting' as const, userId: event.userId },
      };
    }),
  },
}).createMachine({
  id: 'tab',
  context: ({ input }) => ({
    tabId: input.tabId,
    settings: input,
    status: SIGNED_OUT_STATUS,
    ledger: EMPTY_LEDGER,
    provenTopics: [],
    topicCounts: {},
    eventCounts: {},
    duplicatesDropped: 0,
  }),
  initial: 'active',
  states: {
    active: {
      invoke: {
        id: 'session',
        systemId: 'session',
        src: 'session',
        input: ({ context }) => context.settings,
      },
      on: {
        'auth.login': { actions: 'forwardToSession' },
        'auth.logout': { actions: 'forwardToSession' },
        'connection.retry': { actions: 'forwardToSession' },
        'subscription.add': { actions: ['countSubscription', 'announceInterest'] },
        'subscription.remove': { actions: ['countSubscription', 'announceInterest'] },
        'delivery.event': [
          { guard: 'isSignedOut' },
          { guard: 'isNewEvent', actions: ['recordDelivery', 'emitDelivery'] },
          { actions: 'countDuplicate' },
        ],
        'delivery.resync': { guard: not('isSignedOut'), actions: 'emitResync' },
        'status.connection': { actions: 'applyConnectionStatus' },
        'status.role': { actions: 'applyRole' },
        'status.session': { actions: 'applySession' },
        'tab.dispose': { target: 'disposed' },
      },
    },
    /** Stopped for good: the session and everything under it are gone. */
    disposed: { type: 'final' },
  },
});
