/**
 * session — signed out, or signed in to one scope (appKey + userId).
 *
 * Everything that belongs to a scope is invoked on `signedIn`: the scope's channel, the page
 * lifecycle listener and the leadership chart (which invokes the connection). Leaving
 * `signedIn` — logout here or in another tab, a failed refresh, a server `force_logout` —
 * stops all of it: no stream, no lock, no listener, nothing to reconnect.
 */
import {
  assertEvent,
  assign,
  type EventObject,
  enqueueActions,
  fromCallback,
  fromPromise,
  sendTo,
  setup,
} from 'xstate';
import type {
  ChannelCommand,
  ChannelEvent,
  Interest,
  LifecycleEvent,
  SharedEvent,
  TabNotice,
} from './events.js';
import { leadershipMachine } from './leadership.machine.js';
import type { LeadershipTiming } from './leadership.types.js';
import type { Mode } from './status.js';
import type { ConnectionSettings } from './streams.machine.js';
import { enqueueToSystem } from './system.js';

export interface SessionInput {
  tabId: string;
  appKey: string;
  mode: Mode;
  connection: ConnectionSettings;
  leadershipTiming?: LeadershipTiming;
  /** How long a signing-out tab keeps the Web Lock after its logout is posted. */
  signOutGraceMs: number;
}

export interface SessionContext extends SessionInput {
  userId: string | null;
  /** This tab's topics and event names, kept while signed out for the next sign-in. */
  interest: Interest;
}

export type SessionEvent =
  | { type: 'auth.login'; userId: string }
  | { type: 'auth.logout' }
  | ChannelEvent
  | LifecycleEvent
  | SharedEvent;

/** The scope's name: what its channel and lock are called. Nothing crosses scopes. */
export function scopeOf(appKey: string, userId: string): string {
  return `${appKey}:${userId}`;
}

/** What the channel actor needs to join a scope. */
export interface ChannelInput {
  scope: string;
  tabId: string;
}

export const sessionMachine = /* @__PURE__ */ setup({
  types: {
    context: {} as SessionContext,
    input: {} as SessionInput,
    events: {} as SessionEvent,
  },
  actors: {
    leadership: leadershipMachine,
    /** The scope's BroadcastChannel; provided by `createTabcast`. */
    channel: fromCallback<ChannelCommand, ChannelInput>(() => () => {}),
    /** online, pagehide, pageshow; provided by `createTabcast`. */
    lifecycle: fromCallback<EventObject, undefined>(() => () => {}),
    /** The app's `refreshCredentials()`; resolves when fresh credentials are in place. */
    refresh: fromPromise<void>(async () => {
      throw new Error('tabcast: no refreshCredentials option');
    }),
  },
  delays: {
    signOutGrace: ({ context }) => context.signOutGraceMs,
  },
  guards: {
    isLogoutMessage: ({ event }) =>
      event.type === 'channel.message' && event.message.type === 'logout',
    isOtherUser: ({ context, event }) =>
      event.type === 'auth.login' && event.userId !== context.userId,
  },
  actions: {
    setUser: assign(({ event }) => {
      assertEvent(event, 'auth.login');
      return { userId: event.userId };
    }),
    clearUser: assign({ userId: null }),
    reportUser: ({ context, system }) => {
      system
        .get('tab')
        ?.send({ type: 'status.session', userId: context.userId } satisfies TabNotice);
    },
    setInterest: assign(({ event }) => {
      assertEvent(event, 'interest.changed');
      return { interest: event.interest };
    }),
    /** Every tab of the scope signs out with this one. Posted before the channel closes. */
    postLogout: enqueueActions(({ system, enqueue }) => {
      const post: ChannelCommand = { type: 'channel.post', body: { type: 'logout' } };
      enqueueToSystem(enqueue, system, 'channel', post);
    }),
    forwardToLeadership: sendTo('leadership', ({ event }) => event),
    retireLeadership: sendTo('leadership', { type: 'session.ending' }),
    reportSignedOut: enqueueActions(({ system, enqueue }) => {
      const notice: TabNotice = { type: 'status.session', userId: null };
      enqueueToSystem(enqueue, system, 'tab', notice);
    }),
    leaveChannel: sendTo('channel', { type: 'channel.leave' }),
    confirmRefresh: sendTo('leadership', { type: 'auth.refreshed' }),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({ ...input, userId: null, interest: { topics: [], events: [] } }),
  initial: 'signedOut',
  on: {
    'interest.changed': { actions: 'setInterest' },
  },
  states: {
    signedOut: {
      entry: 'reportUser',
      on: { 'auth.login': { target: 'signedIn', actions: 'setUser' } },
    },
    signedIn: {
      entry: 'reportUser',
      invoke: [
        {
          id: 'channel',
          systemId: 'channel',
          src: 'channel',
          input: ({ context }) => ({
            scope: scopeOf(context.appKey, context.userId!),
            tabId: context.tabId,
          }),
        },
        { id: 'lifecycle', src: 'lifecycle' },
        {
          id: 'leadership',
          systemId: 'leadership',
          src: 'leadership',
          input: ({ context }) => ({
            tabId: context.tabId,
            mode: context.mode,
            scope: scopeOf(context.appKey, context.userId!),
            interest: context.interest,
            connection: context.connection,
            timing: context.leadershipTiming,
          }),
        },
      ],
      initial: 'active',
      on: {
        'auth.login': {
          guard: 'isOtherUser',
          target: 'signedIn',
          reenter: true,
          actions: 'setUser',
        },
        'auth.logout': { target: '.signingOut' },
        'server.forceLogout': { target: '.signingOut' },
        // The channel hands every other message to leadership itself.
        'channel.message': {
          guard: 'isLogoutMessage',
          target: 'signedOut',
          actions: 'clearUser',
        },
        'interest.changed': { actions: ['setInterest', 'forwardToLeadership'] },
        'connection.retry': { actions: 'forwardToLeadership' },
        'lifecycle.online': { actions: 'forwardToLeadership' },
        'lifecycle.visibility': { actions: 'forwardToLeadership' },
        'lifecycle.pagehide': { actions: ['leaveChannel', 'forwardToLeadership'] },
        'lifecycle.pageshow': { actions: 'forwardToLeadership' },
      },
      states: {
        active: {
          on: { 'auth.expired': { target: 'refreshing' } },
        },
        /** A 401: the app refreshes credentials once; the stream waits, the status holds. */
        refreshing: {
          invoke: {
            id: 'refresh',
            src: 'refresh',
            onDone: { target: 'verifying', actions: 'confirmRefresh' },
            onError: { target: 'signingOut' },
          },
        },
        /** Refreshed: a second 401 before the stream opens means the refresh did not help. */
        verifying: {
          on: {
            'auth.expired': { target: 'signingOut' },
            'auth.confirmed': { target: 'active' },
          },
        },
        /**
         * Tells every tab of the scope, stops the stream at once, and keeps the Web Lock a
         * moment longer: released with the logout still in flight, it could be granted to a
         * tab that has not heard of the logout yet, which would connect once.
         */
        signingOut: {
          entry: ['postLogout', 'retireLeadership', 'reportSignedOut'],
          after: { signOutGrace: { target: '#session.signedOut', actions: 'clearUser' } },
          on: {
            'auth.login': { target: '#session.signedIn', reenter: true, actions: 'setUser' },
            // Signed out already: a second logout must not reach a newer session of the scope.
            'auth.logout': {},
            'server.forceLogout': {},
          },
        },
      },
    },
  },
});
