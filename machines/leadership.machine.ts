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
import { assign, type EventObject, enqueueActions, fromCallback, not, sendTo, setup } from 'xstate';
import type { LockInput, PeerWatchInput } from '../src/actors/lock.js';
import type {
  ChannelCommand,
  ChannelEvent,
  Interest,
  LifecycleEvent,
  LockEvent,
  PeerCommand,
  SharedEvent,
  TabNotice,
} from '../src/machine-events.js';
import { type ChannelBody, type ChannelMessage, channelNameOf } from '../src/protocol.js';
import type { Mode } from '../src/status.js';
import { enqueueToSystem } from '../src/system.js';
import { type ConnectionSettings, type StreamsInput, streamsMachine } from './streams.machine.js';

/** A peer's presence lock came to this leader: that tab is gone. */
type PeerGone = Extract<LockEvent, { type: 'peer.gone' }>;

export interface LeadershipTiming {
  /** How often a fallback leader says it is alive. */
  heartbeatIntervalMs: number;
  /** A fallback follower that heard nothing from the leader this long campaigns. */
  leaderTimeoutMs: number;
  /** How often a fallback follower looks at the wall clock. */
  watchdogIntervalMs: number;
  /** How long a fallback candidate waits for a better claim or a living leader. */
  electionWindowMs: number;
}

/**
 * A fallback leader calls the roll (a `hello`, which every tab answers at once, hidden or not)
 * every this many heartbeats, and forgets the tabs that did not answer the call before.
 */
export const ROLL_CALL_EVERY_BEATS = 10;

export const LEADERSHIP_TIMING_DEFAULTS: LeadershipTiming = {
  heartbeatIntervalMs: 1_000,
  leaderTimeoutMs: 3_500,
  watchdogIntervalMs: 1_000,
  electionWindowMs: 150,
};

export interface LeadershipInput {
  tabId: string;
  mode: Mode;
  /** The scope: its channel and its Web Lock are named after it. */
  scope: string;
  interest: Interest;
  connection: ConnectionSettings;
  timing?: LeadershipTiming;
}

export interface LeadershipContext {
  tabId: string;
  mode: Mode;
  scope: string;
  /** The scope's Web Lock, named like its channel. */
  lockName: string;
  /** The newest term this tab knows of: its own while leading. */
  epoch: number;
  /** The term this tab asked for in its last fallback claim. */
  claim: number;
  /** Wall-clock time the leader was last heard from (fallback watchdog). */
  lastHeardAt: number;
  /** The tab the newest leader message came from: gone once this tab is granted the lock. */
  leaderId: string | null;
  /** Whether this tab's page is visible: its timers run on time. */
  visible: boolean;
  /** When the leader's next timer is due, by stream, as its status said: a follower wakes it. */
  leaderDeadlines: Record<string, number>;
  /** The deadline the wake alarm is set for. */
  alarmAt: number | null;
  /** This tab's topics and event names. */
  interest: Interest;
  /** Every other tab's, by tab id. */
  peers: Record<string, Interest>;
  /** Fallback leader: heartbeats since its last roll call. */
  beats: number;
  /** Fallback leader: tabs that have not answered its last roll call (a crash says no bye). */
  unanswered: string[];
  connection: ConnectionSettings;
  timing: LeadershipTiming;
}

export type LeadershipEvent = LockEvent | LifecycleEvent | SharedEvent | ChannelEvent;

/** The tab that leads when (epoch, tabId) pairs meet: the newer term, then the smaller id. */
export function outranks(
  a: { epoch: number; tabId: string },
  b: { epoch: number; tabId: string },
): boolean {
  return a.epoch > b.epoch || (a.epoch === b.epoch && a.tabId < b.tabId);
}

/** The leader's earliest reported deadline, or null when it waits on no timer. */
export function earliestDeadline(
  context: Pick<LeadershipContext, 'leaderDeadlines'>,
): number | null {
  const all = Object.values(context.leaderDeadlines);
  return all.length === 0 ? null : Math.min(...all);
}

/** The sorted union of every tab's interest: what the one stream must carry. */
export function unionOf(own: Interest, peers: Record<string, Interest>): Interest {
  const topics = new Set(own.topics);
  const events = new Set(own.events);
  for (const peer of Object.values(peers)) {
    for (const topic of peer.topics) topics.add(topic);
    for (const event of peer.events) events.add(event);
  }
  return { topics: [...topics].sort(), events: [...events].sort() };
}

const withoutPeer = (peers: Record<string, Interest>, tabId: string) => {
  const { [tabId]: _gone, ...rest } = peers;
  return rest;
};

const messageOf = (event: LeadershipEvent) =>
  event.type === 'channel.message' ? event.message : undefined;

/** What only a leader says. */
const LEADER_MESSAGES = new Set<ChannelMessage['type']>([
  'heartbeat',
  'state',
  'opened',
  'events',
  'reset',
]);

const claimsLeadership = (message: ChannelMessage | undefined) =>
  message !== undefined && LEADER_MESSAGES.has(message.type);

/**
 * Queues a post on the scope's channel. A chart run alone (a model test) has no channel; in solo
 * mode the channel actor runs without a BroadcastChannel and drops it.
 */
function enqueuePost(
  enqueue: Parameters<typeof enqueueToSystem>[0],
  system: Parameters<typeof enqueueToSystem>[1],
  body: ChannelBody,
) {
  const post: ChannelCommand = { type: 'channel.post', body };
  enqueueToSystem(enqueue, system, 'channel', post);
}

/** What this tab's root gets from a leader's message, if anything. */
function noticeFrom(message: ChannelMessage | undefined): TabNotice | null {
  switch (message?.type) {
    case 'events':
      return { type: 'delivery.events', stream: message.stream, events: message.events };
    case 'state': {
      const { stream, status, epoch, topics } = message;
      return { type: 'status.connection', stream, status, epoch, topics };
    }
    case 'opened': {
      const { stream, status, epoch, topics, gaps, resumed } = message;
      return { type: 'stream.opened', stream, status, epoch, topics, gaps, resumed };
    }
    case 'reset': {
      const { stream, id, topics } = message;
      return { type: 'stream.reset', stream, id, topics };
    }
    default:
      return null;
  }
}

export const leadershipMachine = /* @__PURE__ */ setup({
  types: {
    context: {} as LeadershipContext,
    input: {} as LeadershipInput,
    events: {} as LeadershipEvent,
  },
  actors: {
    streams: streamsMachine,
    /** A held or queued Web Lock; provided by `createTabcast` with the platform's lock manager. */
    lock: fromCallback<EventObject, LockInput>(() => () => {}),
    /** The leader's watch over the other tabs' presence locks; provided by `createTabcast`. */
    peers: fromCallback<PeerCommand, PeerWatchInput>(() => () => {}),
  },
  delays: {
    /** Default clock; `createTabcast` provides one bound to the platform. */
    untilLeaderDeadline: ({ context }) => Math.max(0, (context.alarmAt ?? 0) - Date.now()),
    heartbeatInterval: ({ context }) => context.timing.heartbeatIntervalMs,
    watchdogInterval: ({ context }) => context.timing.watchdogIntervalMs,
    electionWindow: ({ context }) => context.timing.electionWindowMs,
  },
  guards: {
    isSolo: ({ context }) => context.mode === 'solo',
    /** Visible, while the leader waits on a timer: this tab keeps its time. */
    shouldWakeLeader: ({ context }) => context.visible && earliestDeadline(context) !== null,
    isLeaderWakeUnneeded: not('shouldWakeLeader'),
    isAlarmStale: ({ context }) => context.alarmAt !== earliestDeadline(context),
    /** Default clock; `createTabcast` provides one bound to the platform. */
    isLeaderDue: ({ context }) => {
      const due = earliestDeadline(context);
      return context.visible && due !== null && Date.now() >= due;
    },
    isRollCallDue: ({ context }) => context.beats + 1 >= ROLL_CALL_EVERY_BEATS,
    hasLocks: ({ context }) => context.mode === 'locks',
    /** Default clock; `createTabcast` provides one bound to the platform. */
    isLeaderSilent: ({ context }) =>
      Date.now() - context.lastHeardAt > context.timing.leaderTimeoutMs,
    /** A message of an older term. A `bye` is never stale: whoever leaves, its topics go. */
    isStale: ({ context, event }) => {
      const message = messageOf(event);
      if (message === undefined || !('epoch' in message) || message.type === 'bye') return false;
      return message.epoch < context.epoch;
    },
    isFromLeader: ({ event }) => claimsLeadership(messageOf(event)),
    /**
     * Another leader this one must yield to. Fallback mode: a better (epoch, tabId); a mere
     * claim never deposes a leader (the leader answers it with a heartbeat). Web Locks mode: only
     * a newer term (a holder that took the lock after this one, e.g. with `steal`); a message of
     * the same term can only come from a dead holder still in flight, never from a rival.
     */
    isOutranked: ({ context, event }) => {
      const message = messageOf(event);
      if (!claimsLeadership(message)) return false;
      const { epoch, from } = message as { epoch: number; from: string };
      return context.mode === 'locks'
        ? epoch > context.epoch
        : outranks({ epoch, tabId: from }, { epoch: context.epoch, tabId: context.tabId });
    },
    /** Another candidate's claim beats this tab's own. */
    isBetterClaim: ({ context, event }) => {
      const message = messageOf(event);
      return (
        message?.type === 'claim' &&
        outranks(
          { epoch: message.epoch, tabId: message.from },
          { epoch: context.claim, tabId: context.tabId },
        )
      );
    },
    /** The leader of this term (or a newer one) left: elect at once. */
    isLeaderBye: ({ context, event }) => {
      const message = messageOf(event);
      return message?.type === 'bye' && message.leader && message.epoch >= context.epoch;
    },
    isType: ({ event }, params: { type: ChannelMessage['type'] }) =>
      messageOf(event)?.type === params.type,
    /** A `bye`, or the leader's word that a tab is `gone`: its topics leave the union. */
    isPeerLeaving: ({ event }) => {
      const type = messageOf(event)?.type;
      return type === 'bye' || type === 'gone';
    },
  },
  actions: {
    greet: enqueueActions(({ context, system, enqueue }) => {
      enqueuePost(enqueue, system, { type: 'hello' });
      enqueuePost(enqueue, system, { type: 'topics', ...context.interest });
    }),
    postTopics: enqueueActions(({ context, system, enqueue }) =>
      enqueuePost(enqueue, system, { type: 'topics', ...context.interest }),
    ),
    setInterest: assign({
      interest: ({ context, event }) =>
        event.type === 'interest.changed' ? event.interest : context.interest,
    }),
    recordPeer: assign(({ context, event }) => {
      const message = messageOf(event);
      if (message?.type === 'topics') {
        const peers = {
          ...context.peers,
          [message.from]: { topics: message.topics, events: message.events },
        };
        return { peers, unanswered: context.unanswered.filter((id) => id !== message.from) };
      }
      if (message?.type === 'bye') return { peers: withoutPeer(context.peers, message.from) };
      if (message?.type === 'gone') return { peers: withoutPeer(context.peers, message.tabId) };
      return {};
    }),
    /** A tab known to be gone (its presence lock was granted, or it held the lock before us). */
    forgetPeer: assign({
      peers: ({ context }, params: { tabId: string | null }) =>
        params.tabId === null ? context.peers : withoutPeer(context.peers, params.tabId),
    }),
    /** Tells the other tabs, which keep the list too, for when one of them leads. */
    announceGone: enqueueActions(({ system, enqueue }, params: { tabId: string }) =>
      enqueuePost(enqueue, system, { type: 'gone', tabId: params.tabId }),
    ),
    watchPeers: sendTo('peers', ({ context }) => ({
      type: 'peers.watch' as const,
      tabIds: Object.keys(context.peers),
    })),
    forwardInterest: sendTo('streams', ({ context }) => ({
      type: 'interest.changed' as const,
      interest: unionOf(context.interest, context.peers),
    })),
    forwardHello: sendTo('streams', { type: 'peer.hello' }),
    forwardRetry: sendTo('streams', { type: 'connection.retry' }),
    forwardEvent: sendTo('streams', ({ event }) => event),
    askLeaderToRetry: enqueueActions(({ system, enqueue }) =>
      enqueuePost(enqueue, system, { type: 'retry' }),
    ),
    /** Hears the leader: its term, its id, the time (for the fallback watchdog). */
    hearLeader: assign(({ context, event }) => {
      const message = messageOf(event);
      if (!message || !('epoch' in message)) return {};
      const heard = {
        epoch: Math.max(context.epoch, message.epoch),
        lastHeardAt: event.type === 'channel.message' ? event.receivedAt : context.lastHeardAt,
        leaderId: message.from,
      };
      if (message.type !== 'state') return heard;
      const { [message.stream]: _previous, ...others } = context.leaderDeadlines;
      const leaderDeadlines =
        message.wakeAt === null ? others : { ...others, [message.stream]: message.wakeAt };
      return { ...heard, leaderDeadlines };
    }),
    setVisibility: assign({
      visible: ({ context, event }) =>
        event.type === 'lifecycle.visibility' ? event.visible : context.visible,
    }),
    armAlarm: assign({ alarmAt: ({ context }) => earliestDeadline(context) }),
    /** Wakes the leader at a deadline it reported, and forgets the deadlines that passed. */
    wakeLeader: enqueueActions(({ context, system, enqueue }) => {
      enqueuePost(enqueue, system, { type: 'wake' });
      const due = context.alarmAt ?? Number.POSITIVE_INFINITY;
      enqueue.assign({
        alarmAt: null,
        leaderDeadlines: Object.fromEntries(
          Object.entries(context.leaderDeadlines).filter(([, at]) => at > due),
        ),
      });
    }),
    forwardCheck: sendTo('streams', { type: 'clock.check' }),
    /** A leader's streams ask to be woken while it is hidden; only a leader has them. */
    forwardVisibility: enqueueActions(({ event, self, enqueue }) => {
      if (self.getSnapshot().children.streams) enqueue.sendTo('streams', event);
    }),
    /** Hands the leader's events, status and stream notices to this tab's root. */
    deliverFromLeader: enqueueActions(({ event, system, enqueue }) => {
      const notice = noticeFrom(messageOf(event));
      if (notice) enqueueToSystem(enqueue, system, 'tab', notice);
    }),
    beginTerm: assign({
      epoch: ({ context }) => context.epoch + 1,
    }),
    /**
     * A fallback candidate claims the next term. Its known term stays as it is until it wins, so
     * the current leader's heartbeat (which answers the claim) is not stale to it.
     */
    claimTerm: enqueueActions(({ context, system, enqueue }) => {
      const claim = context.epoch + 1;
      enqueue.assign({ claim });
      enqueuePost(enqueue, system, { type: 'claim', epoch: claim });
    }),
    takeClaimedTerm: assign({
      epoch: ({ context }) => context.claim,
    }),
    /**
     * Waits for the better candidate: its term is not known yet (it may lose to a living
     * leader), only the time, which restarts the watchdog.
     */
    yieldToClaim: assign({
      lastHeardAt: ({ context, event }) =>
        event.type === 'channel.message' ? event.receivedAt : context.lastHeardAt,
    }),
    countBeat: assign({ beats: ({ context }) => context.beats + 1 }),
    /** Forgets the tabs that did not answer the last roll call, then calls it again. */
    callRoll: enqueueActions(({ context, system, enqueue }) => {
      for (const tabId of context.unanswered) {
        enqueuePost(enqueue, system, { type: 'gone', tabId });
      }
      const peers = Object.fromEntries(
        Object.entries(context.peers).filter(([id]) => !context.unanswered.includes(id)),
      );
      enqueue.assign({ beats: 0, peers, unanswered: Object.keys(peers) });
      enqueuePost(enqueue, system, { type: 'hello' });
    }),
    postHeartbeat: enqueueActions(({ context, system, enqueue }) =>
      enqueuePost(enqueue, system, { type: 'heartbeat', epoch: context.epoch }),
    ),
    reportRole: enqueueActions(
      ({ context, system, enqueue }, params: { role: 'leader' | 'follower' }) => {
        const role: ChannelCommand = {
          type: 'channel.role',
          leader: params.role === 'leader',
          epoch: context.epoch,
        };
        enqueueToSystem(enqueue, system, 'channel', role);
        const notice: TabNotice = {
          type: 'status.role',
          role: params.role,
          mode: context.mode,
          epoch: context.epoch,
        };
        enqueueToSystem(enqueue, system, 'tab', notice);
      },
    ),
    fallBackToElection: assign({ mode: 'fallback' as const }),
  },
}).createMachine({
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
        /** The page is hidden for bfcache or unloading: no lock held, none queued. */
        suspended: {
          entry: { type: 'reportRole', params: { role: 'follower' } },
          on: { 'lifecycle.pageshow': { target: 'queued' } },
        },
      },
    },
    fallback: {
      entry: 'greet',
      initial: 'campaigning',
      states: {
        /** Claimed the next term; leads unless a living leader or a better claim is heard. */
        campaigning: {
          entry: 'claimTerm',
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
          on: leadingHandlers('#leadership.fallback.following', [], {
            'lifecycle.pagehide': { target: 'suspended' },
          }),
          initial: 'beating',
          states: {
            beating: {
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
        suspended: {
          entry: { type: 'reportRole', params: { role: 'follower' } },
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
