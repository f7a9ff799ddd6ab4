/** The leadership chart's pure helpers: who outranks whom, the union of interests, notices. */
import type { ChannelCommand, Interest, TabNotice } from './events.js';
import type { LeadershipContext, LeadershipEvent, LeadershipTiming } from './leadership.types.js';
import type { ChannelBody, ChannelMessage } from './protocol.js';
import { enqueueToSystem } from './system.js';

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

export const withoutPeer = (peers: Record<string, Interest>, tabId: string) => {
  const { [tabId]: _gone, ...rest } = peers;
  return rest;
};

/** This tab's `topics`: what it listens to, and the newest term it has heard. */
export const topicsOf = (context: LeadershipContext): ChannelBody => ({
  type: 'topics',
  ...context.interest,
  knownEpoch: context.epoch,
});

export const messageOf = (event: LeadershipEvent) =>
  event.type === 'channel.message' ? event.message : undefined;

/** What only a leader says. */
export const LEADER_MESSAGES = new Set<ChannelMessage['type']>([
  'heartbeat',
  'state',
  'opened',
  'events',
  'reset',
]);

export const claimsLeadership = (message: ChannelMessage | undefined) =>
  message !== undefined && LEADER_MESSAGES.has(message.type);

/**
 * Queues a post on the scope's channel. A chart run alone (a model test) has no channel; in solo
 * mode the channel actor runs without a BroadcastChannel and drops it.
 */
export function enqueuePost(
  enqueue: Parameters<typeof enqueueToSystem>[0],
  system: Parameters<typeof enqueueToSystem>[1],
  body: ChannelBody,
) {
  const post: ChannelCommand = { type: 'channel.post', body };
  enqueueToSystem(enqueue, system, 'channel', post);
}

/** What this tab's root gets from a leader's message, if anything. */
export function noticeFrom(message: ChannelMessage | undefined): TabNotice | null {
  switch (message?.type) {
    case 'events':
      return { type: 'delivery.events', stream: message.stream, events: message.events };
    case 'state': {
      const { stream, status, epoch, topics } = message;
      return { type: 'status.connection', stream, status, epoch, topics };
    }
    case 'opened': {
      const { stream, status, epoch, topics, gaps, resumedFrom } = message;
      return { type: 'stream.opened', stream, status, epoch, topics, gaps, resumedFrom };
    }
    case 'reset': {
      const { stream, id, topics } = message;
      return { type: 'stream.reset', stream, id, topics };
    }
    default:
      return null;
  }
}

/** Whether a visible follower should wake the leader by `now`: one of its deadlines passed. */
export function leaderDue(context: LeadershipContext, now: number): boolean {
  const due = earliestDeadline(context);
  return context.visible && due !== null && now >= due;
}

/** How long until the wake alarm is due, 0 when it has passed. */
export const untilAlarm = (context: LeadershipContext, now: number) =>
  Math.max(0, (context.alarmAt ?? 0) - now);

/** Whether a fallback follower has heard nothing from the leader for too long by `now`. */
export const leaderSilent = (context: LeadershipContext, now: number) =>
  now - context.lastHeardAt > context.timing.leaderTimeoutMs;
