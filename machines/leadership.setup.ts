/**
 * What the leadership chart's names do: its actors, delays, guards and actions. The chart itself,
 * read top to bottom, is leadership.machine.ts.
 */
import {
  assertEvent,
  assign,
  type EventObject,
  enqueueActions,
  fromCallback,
  not,
  sendTo,
  setup,
} from 'xstate';
import type { ChannelCommand, PeerCommand, TabNotice } from './events.js';
import type {
  LeadershipContext,
  LeadershipEvent,
  LeadershipInput,
  LockInput,
  PeerWatchInput,
} from './leadership.types.js';
import {
  claimsLeadership,
  earliestDeadline,
  enqueuePost,
  leaderDue,
  leaderSilent,
  messageOf,
  noticeFrom,
  outranks,
  ROLL_CALL_EVERY_BEATS,
  topicsOf,
  unionOf,
  untilAlarm,
  withoutPeer,
} from './leadership.utils.js';
import type { ChannelMessage } from './protocol.js';
import { streamsMachine } from './streams.machine.js';
import { enqueueToSystem } from './system.js';

/**
 * A function, so that a page importing nothing of the chart (`nextDelay` alone) drops it: a
 * bundler keeps a top-level call it cannot prove pure, and this one it can.
 */
/* @__NO_SIDE_EFFECTS__ */
export function leadershipSetup() {
  return setup({
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
      untilLeaderDeadline: ({ context }) => untilAlarm(context, Date.now()),
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
      isLeaderDue: ({ context }) => leaderDue(context, Date.now()),
      isRollCallDue: ({ context }) => context.beats + 1 >= ROLL_CALL_EVERY_BEATS,
      hasLocks: ({ context }) => context.mode === 'locks',
      /** Default clock; `createTabcast` provides one bound to the platform. */
      isLeaderSilent: ({ context }) => leaderSilent(context, Date.now()),
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
      /**
       * A peer has heard of a newer term than this tab knows, so every tab that knows it drops
       * this one's claim or leadership as stale. A candidate: the leader of that term crashed and
       * the peer's watchdog has not fired yet (its claim, one past its term, is at or below the
       * peer's). A leader: it took its term while nobody told it the current one (their answers
       * came after its election window, on a busy machine).
       */
      isTermBehind: ({ context, event }) => {
        const message = messageOf(event);
        return message?.type === 'topics' && message.knownEpoch > context.epoch;
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
        enqueuePost(enqueue, system, topicsOf(context));
      }),
      postTopics: enqueueActions(({ context, system, enqueue }) =>
        enqueuePost(enqueue, system, topicsOf(context)),
      ),
      setInterest: assign(({ event }) => {
        assertEvent(event, 'interest.changed');
        return { interest: event.interest };
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
        assertEvent(event, 'channel.message');
        const { message } = event;
        if (!('epoch' in message)) return {};
        const heard = {
          epoch: Math.max(context.epoch, message.epoch),
          lastHeardAt: event.receivedAt,
          leaderId: message.from,
        };
        if (message.type !== 'state') return heard;
        const { [message.stream]: _previous, ...others } = context.leaderDeadlines;
        const leaderDeadlines =
          message.wakeAt === null ? others : { ...others, [message.stream]: message.wakeAt };
        return { ...heard, leaderDeadlines };
      }),
      setVisibility: assign(({ event }) => {
        assertEvent(event, 'lifecycle.visibility');
        return { visible: event.visible };
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
      /** The term a peer has heard becomes this candidate's, so that it claims the next. */
      learnTerm: assign(({ context, event }) => {
        const message = messageOf(event);
        return message?.type === 'topics'
          ? { epoch: Math.max(context.epoch, message.knownEpoch) }
          : {};
      }),
      /** No term is known: the next leader heard sets it, whatever it is. */
      forgetTerm: assign({ epoch: 0, leaderId: null }),
      takeClaimedTerm: assign({
        epoch: ({ context }) => context.claim,
      }),
      /**
       * Waits for the better candidate: its term is not known yet (it may lose to a living
       * leader), only the time, which restarts the watchdog.
       */
      yieldToClaim: assign(({ event }) => {
        assertEvent(event, 'channel.message');
        return { lastHeardAt: event.receivedAt };
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
  });
}
