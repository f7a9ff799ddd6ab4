/**
 * leadership — which tab of the scope holds the one stream.
 *
 * - `locks`: every tab queues one `navigator.locks.request` (no `ifAvailable`, no timer); the
 *   browser grants it to the next tab the moment the leader closes or crashes.
 * - `fallback` (no Web Locks): a BroadcastChannel election. Candidates claim the next epoch, the
 *   leader heartbeats, followers watch the wall clock (hidden tabs' timers are throttled), and
 *   two leaders resolve by (epoch, tabId): the loser steps down, which closes its stream.
 * - `solo` (no BroadcastChannel): every tab leads its own stream.
 *
 * The connection chart is invoked in `leading`, so leaving it — stepping down, pagehide, sign
 * out — closes the stream by construction.
 */
import { leadershipSetup } from './leadership.setup.js';
import type { LeadershipContext, LockInput, PeerGone } from './leadership.types.js';
import { LEADERSHIP_TIMING_DEFAULTS, unionOf } from './leadership.utils.js';
import { channelNameOf } from './protocol.js';
import type { StreamsInput } from './streams.machine.js';

export const leadershipMachine = /* @__PURE__ */ leadershipSetup().createMachine({
  id: 'leadership',
  context: ({ input }) => ({
    tabId: input.tabId,
    mode: input.mode,
    scope: input.scope,
    lockName: channelNameOf(input.scope),
    epoch: 0,
    claim: 0,
    beats: 0,
    unanswered: [],
    lastHeardAt: 0,
    leaderId: null,
    visible: true,
    leaderDeadlines: {},
    alarmAt: null,
    interest: input.interest,
    peers: {},
    connection: input.connection,
    timing: input.timing ?? LEADERSHIP_TIMING_DEFAULTS,
  }),
  initial: 'choosingMode',
  on: {
    'session.ending': { target: '.retired' },
    'lifecycle.visibility': { actions: ['setVisibility', 'forwardVisibility'] },
    'interest.changed': { actions: ['setInterest', 'postTopics'] },
    'channel.message': [
      { guard: 'isStale' },
      { guard: { type: 'isType', params: { type: 'hello' } }, actions: 'postTopics' },
      { guard: { type: 'isType', params: { type: 'topics' } }, actions: 'recordPeer' },
      { guard: 'isPeerLeaving', actions: 'recordPeer' },
      { guard: 'isFromLeader', actions: ['hearLeader', 'deliverFromLeader'] },
    ],
  },
  states: {
    /** Which way this tab takes part: alone, by Web Locks, or by the fallback election. */
    choosingMode: {
      always: [
        { guard: 'isSolo', target: 'solo' },
        { guard: 'hasLocks', target: 'locks' },
        { target: 'fallback' },
      ],
    },
    locks: {
      initial: 'queued',
      states: {
        /** This tab's lock request is in the browser's queue, or granted. */
        queued: {
          invoke: [
            { id: 'lock', src: 'lock', input: lockInput('leadership') },
            { id: 'presence', src: 'lock', input: lockInput('presence') },
          ],
          initial: 'waiting',
          on: {
            // Peers can tell when this tab is gone from now on: only now does it say hello.
            'presence.held': { actions: 'greet' },
            'lock.error': { target: '#leadership.fallback', actions: 'fallBackToElection' },
            'lifecycle.pagehide': { target: 'suspended' },
            'session.ending': { target: '.retired' },
          },
          states: {
            waiting: {
              entry: { type: 'reportRole', params: { role: 'follower' } },
              initial: 'resting',
              states: {
                /** The leader waits on no timer, or this tab is hidden too: nothing to do. */
                resting: {
                  always: { guard: 'shouldWakeLeader', target: 'alarmed' },
                },
                /**
                 * Visible while the leader waits on a timer (a hidden leader's fall a minute
                 * behind): wakes it when that timer is due, set anew when the deadline moves.
                 */
                alarmed: {
                  entry: 'armAlarm',
                  always: [
                    { guard: 'isLeaderWakeUnneeded', target: 'resting' },
                    { guard: 'isAlarmStale', target: 'alarmed', reenter: true },
                  ],
                  after: { untilLeaderDeadline: { target: 'resting', actions: 'wakeLeader' } },
                },
              },
              on: {
                // The lock was let go, so whoever led before is gone (a crash says no bye).
                'lock.granted': {
                  target: 'leading',
                  actions: [
                    'beginTerm',
                    { type: 'forgetPeer', params: ({ context }) => ({ tabId: context.leaderId }) },
                  ],
                },
                'connection.retry': { actions: 'askLeaderToRetry' },
              },
            },
            leading: {
              entry: { type: 'reportRole', params: { role: 'leader' } },
              invoke: [
                streamsInvoke(),
                {
                  id: 'peers',
                  src: 'peers',
                  input: ({ context }) => ({
                    lockName: context.lockName,
                    tabIds: Object.keys(context.peers),
                  }),
                },
              ],
              on: leadingHandlers('#leadership.locks.steppingDown', ['watchPeers'], {
                'peer.gone': {
                  actions: [
                    {
                      type: 'forgetPeer',
                      params: ({ event }: { event: PeerGone }) => ({ tabId: event.tabId }),
                    },
                    {
                      type: 'announceGone',
                      params: ({ event }: { event: PeerGone }) => ({ tabId: event.tabId }),
                    },
                    'forwardInterest',
                  ],
                },
              }),
            },
            /** Signing out: no stream; the lock (or the place in the queue) is kept until the end. */
            retired: {},
          },
        },
        /** Lost a duplicate-leader contest: the lock is released, then requested anew. */
        steppingDown: { always: { target: 'queued' } },
        /**
         * The page is hidden for bfcache or unloading: no lock held, none queued. Back, it knows
         * no term: whoever leads may have begun a lower one meanwhile.
         */
        suspended: {
          entry: ['forgetTerm', { type: 'reportRole', params: { role: 'follower' } }],
          on: { 'lifecycle.pageshow': { target: 'queued' } },
        },
      },
    },
    fallback: {
      entry: 'greet',
      initial: 'campaigning',
      // Every tab said bye as its page went: back, it greets and campaigns.
      on: { 'lifecycle.pagehide': { target: '.suspended' } },
      states: {
        /** Claimed the next term; leads unless a living leader or a better claim is heard. */
        campaigning: {
          entry: [{ type: 'reportRole', params: { role: 'follower' } }, 'claimTerm'],
          after: { electionWindow: { target: 'leading', actions: 'takeClaimedTerm' } },
          on: {
            'channel.message': [
              { guard: 'isStale' },
              {
                guard: 'isFromLeader',
                target: 'following',
                actions: ['hearLeader', 'deliverFromLeader'],
              },
              { guard: 'isBetterClaim', target: 'following', actions: 'yieldToClaim' },
              {
                guard: 'isTermBehind',
                target: 'campaigning',
                reenter: true,
                actions: ['recordPeer', 'learnTerm'],
              },
            ],
          },
        },
        following: {
          entry: { type: 'reportRole', params: { role: 'follower' } },
          initial: 'watching',
          on: {
            // Everything else a follower hears is the root's: peers' topics, the leader's word.
            'channel.message': {
              guard: 'isLeaderBye',
              target: 'campaigning',
              actions: 'recordPeer',
            },
            'connection.retry': [
              { guard: 'isLeaderSilent', target: 'campaigning' },
              { actions: 'askLeaderToRetry' },
            ],
          },
          states: {
            /** Wakes on the watchdog interval and compares wall-clock time. */
            watching: {
              after: {
                watchdogInterval: [
                  { guard: 'isLeaderSilent', target: '#leadership.fallback.campaigning' },
                  // The watchdog ticks anyway: a visible follower wakes a late leader with it.
                  {
                    guard: 'isLeaderDue',
                    target: 'watching',
                    reenter: true,
                    actions: ['armAlarm', 'wakeLeader'],
                  },
                  { target: 'watching', reenter: true },
                ],
              },
            },
          },
        },
        leading: {
          entry: [{ type: 'reportRole', params: { role: 'leader' } }, 'postHeartbeat'],
          invoke: streamsInvoke(),
          on: leadingHandlers('#leadership.fallback.following', [], {}),
          initial: 'beating',
          states: {
            beating: {
              on: {
                // Its stream reached no one who knows the newer term: it campaigns past it.
                'channel.message': {
                  guard: 'isTermBehind',
                  target: '#leadership.fallback.campaigning',
                  actions: ['recordPeer', 'learnTerm'],
                },
              },
              after: {
                heartbeatInterval: [
                  {
                    guard: 'isRollCallDue',
                    target: 'beating',
                    reenter: true,
                    actions: ['postHeartbeat', 'callRoll', 'forwardInterest'],
                  },
                  { target: 'beating', reenter: true, actions: ['postHeartbeat', 'countBeat'] },
                ],
              },
            },
          },
        },
        /** As in `locks`: back from bfcache, it knows no term and campaigns. */
        suspended: {
          entry: ['forgetTerm', { type: 'reportRole', params: { role: 'follower' } }],
          on: { 'lifecycle.pageshow': { target: 'campaigning', actions: 'greet' } },
        },
      },
    },
    /** Signing out: no stream, no election, nothing posted. */
    retired: {},
    /** No BroadcastChannel: this tab streams for itself. */
    solo: {
      entry: { type: 'reportRole', params: { role: 'leader' } },
      invoke: streamsInvoke(),
      on: {
        'interest.changed': { actions: ['setInterest', 'forwardInterest'] },
        'connection.retry': { actions: 'forwardRetry' },
        'lifecycle.online': { actions: 'forwardEvent' },
        'auth.refreshed': { actions: 'forwardEvent' },
      },
    },
  },
});

/** The input of a lock actor: the scope's lock, or this tab's presence in the scope. */
/* @__NO_SIDE_EFFECTS__ */
function lockInput(purpose: LockInput['purpose']) {
  return ({ context }: { context: LeadershipContext }): LockInput => ({
    lockName: context.lockName,
    purpose,
    tabId: context.tabId,
  });
}

/** The leader's streams: invoked on each leading state, so leaving it stops them all. */
/* @__NO_SIDE_EFFECTS__ */
function streamsInvoke() {
  return {
    id: 'streams',
    src: 'streams',
    input: ({ context }: { context: LeadershipContext }) =>
      ({
        settings: context.connection,
        scope: context.scope,
        clientId: context.tabId,
        epoch: context.epoch,
        interest: unionOf(context.interest, context.peers),
        hidden: !context.visible,
      }) satisfies StreamsInput,
  } as const;
}

/**
 * What a leader does with what it hears; `yieldTarget` is where it goes when outranked, and
 * `onPeersChanged` what else it does when a tab joins or leaves, `own` the handlers of that
 * leading state alone.
 */
/* @__NO_SIDE_EFFECTS__ */
function leadingHandlers<const Own extends object>(
  yieldTarget: string,
  onPeersChanged: readonly 'watchPeers'[],
  own: Own,
) {
  return {
    ...own,
    'interest.changed': {
      actions: ['setInterest', 'postTopics', 'forwardInterest'],
    },
    'channel.message': [
      { guard: 'isStale' },
      { guard: 'isOutranked', target: yieldTarget, actions: ['hearLeader', 'deliverFromLeader'] },
      {
        guard: { type: 'isType', params: { type: 'hello' } },
        actions: ['postTopics', 'forwardHello'],
      },
      { guard: { type: 'isType', params: { type: 'claim' } }, actions: 'postHeartbeat' },
      { guard: 'isFromLeader', actions: 'postHeartbeat' },
      {
        guard: { type: 'isType', params: { type: 'topics' } },
        actions: ['recordPeer', ...onPeersChanged, 'forwardInterest'],
      },
      { guard: 'isPeerLeaving', actions: ['recordPeer', ...onPeersChanged, 'forwardInterest'] },
      { guard: { type: 'isType', params: { type: 'retry' } }, actions: 'forwardRetry' },
      { guard: { type: 'isType', params: { type: 'wake' } }, actions: 'forwardCheck' },
    ],
    'connection.retry': { actions: 'forwardRetry' },
    'lifecycle.online': { actions: 'forwardEvent' },
    'auth.refreshed': { actions: 'forwardEvent' },
  } as const;
}
