/**
 * leadership, as the browser and the other tabs of the scope drive it. The model starts before
 * the tab opens (`unopened`): which browser the tab opens in (Web Locks, a lock manager that
 * refuses, no locks, no BroadcastChannel) picks the real chart's branch out of `choosingMode`.
 *
 * The other tab is played by the test: a plain tab that holds or queues for the lock, and
 * channel messages posted as another tab of the scope would. `peerHoldsLock` is the one fact
 * of that world the model needs: it decides where a tab that queues for the lock lands.
 * `choosingMode` and `steppingDown` are passing states of the real chart; the test checks that
 * they were passed through.
 */
import { assign, type StateValue, setup } from 'xstate';
import { childSnapshot, type TabSnapshot } from './tab.model.js';

export type LeadershipModelEvent =
  /** The tab opens in a browser with Web Locks, the lock free. */
  | { type: 'open.locks' }
  /** The tab opens in a browser with Web Locks, another tab holding the lock. */
  | { type: 'open.locksHeld' }
  /** The tab opens in a browser whose `navigator.locks.request` rejects. */
  | { type: 'open.locksRefused' }
  /** The tab opens in a browser without Web Locks. */
  | { type: 'open.noLocks' }
  /** The tab opens in a browser without BroadcastChannel. */
  | { type: 'open.noChannel' }
  /** The other tab lets go of the lock. */
  | { type: 'peer.release' }
  /** The other tab queues for the lock and claims a better term than this tab's. */
  | { type: 'peer.outrank' }
  /** A living leader heartbeats. */
  | { type: 'peer.heartbeat' }
  /** The leader, hidden, reports that its stream waits on a timer (a reconnect delay). */
  | { type: 'peer.sleep' }
  /** That timer's deadline passes. */
  | { type: 'clock.leaderDeadline' }
  /** Another candidate claims this tab's term with a smaller id. */
  | { type: 'peer.claim' }
  /** The leader says bye. */
  | { type: 'peer.leaderBye' }
  /** The election window passes without a better claim or a living leader. */
  | { type: 'clock.electionWindow' }
  /** The watchdog finds the leader silent for longer than `leaderTimeoutMs`. */
  | { type: 'clock.leaderSilent' }
  /** `retry()` once the leader has been silent longer than `leaderTimeoutMs`. */
  | { type: 'user.retryLeaderSilent' }
  /** The page enters the back/forward cache. */
  | { type: 'page.hide' }
  /** The page comes back from it. */
  | { type: 'page.show' }
  /** The user signs out in this tab (the session keeps the lock for its sign-out grace). */
  | { type: 'user.logout' };

export const leadershipModel = setup({
  types: {
    context: {} as { peerHoldsLock: boolean },
    events: {} as LeadershipModelEvent,
  },
  guards: {
    peerHoldsLock: ({ context }) => context.peerHoldsLock,
  },
}).createMachine({
  id: 'leadershipModel',
  context: { peerHoldsLock: false },
  initial: 'unopened',
  states: {
    unopened: {
      on: {
        'open.locks': { target: 'locks.queued.leading' },
        'open.locksHeld': {
          target: 'locks.queued.waiting.resting',
          actions: assign({ peerHoldsLock: true }),
        },
        // Listed before `open.locksRefused`: the fallback paths start in a browser without locks.
        'open.noLocks': { target: 'fallback.campaigning' },
        'open.locksRefused': { target: 'fallback.campaigning' },
        'open.noChannel': { target: 'solo' },
      },
    },
    locks: {
      initial: 'queued',
      states: {
        queued: {
          initial: 'waiting',
          on: { 'page.hide': { target: 'suspended' } },
          states: {
            waiting: {
              initial: 'resting',
              on: {
                'peer.release': {
                  target: 'leading',
                  actions: assign({ peerHoldsLock: false }),
                },
              },
              states: {
                resting: { on: { 'peer.sleep': { target: 'alarmed' } } },
                // Woken at its deadline by this (visible) tab, the leader's timer is no longer due.
                alarmed: { on: { 'clock.leaderDeadline': { target: 'resting' } } },
              },
            },
            leading: {
              on: {
                // Through `steppingDown`: the lock goes to the other tab, this one queues again.
                'peer.outrank': {
                  target: 'waiting.resting',
                  actions: assign({ peerHoldsLock: true }),
                },
                'user.logout': { target: 'retired' },
              },
            },
            retired: {},
          },
        },
        suspended: {
          on: {
            'page.show': [
              { guard: 'peerHoldsLock', target: 'queued.waiting.resting' },
              { target: 'queued.leading' },
            ],
          },
        },
      },
    },
    fallback: {
      initial: 'campaigning',
      on: { 'page.hide': { target: '.suspended' } },
      states: {
        campaigning: {
          on: {
            'clock.electionWindow': { target: 'leading' },
            'peer.heartbeat': { target: 'following' },
            'peer.claim': { target: 'following' },
          },
        },
        following: {
          initial: 'watching',
          on: {
            'peer.leaderBye': { target: 'campaigning' },
            'clock.leaderSilent': { target: 'campaigning' },
            'user.retryLeaderSilent': { target: 'campaigning' },
          },
          states: { watching: {} },
        },
        leading: {
          initial: 'beating',
          on: {
            'peer.outrank': { target: 'following' },
            'user.logout': { target: '#leadershipModel.retired' },
          },
          states: { beating: {} },
        },
        suspended: {
          on: { 'page.show': { target: 'campaigning' } },
        },
      },
    },
    solo: {},
    retired: {},
  },
});

/** The leadership chart's state value, or undefined when it does not run (signed out). */
export function statesOf(snapshot: TabSnapshot): StateValue | undefined {
  return childSnapshot(childSnapshot(snapshot, 'session'), 'leadership')?.value;
}
