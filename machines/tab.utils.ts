/**
 * Pure helpers of the tab chart: its interest, the releases a new topic ends, and which
 * subscriptions resync.
 */
import type { Interest } from './events.js';

/** One subscription of this tab, as the chart keeps it (the handlers stay in the handle). */
export interface TabSubscription {
  topic: string;
  events: string[];
  /** It has no state yet: it resyncs once its topic is on an open stream. */
  awaitingResync: boolean;
  /**
   * Its handle let go with a grace delay: it hears nothing more, but keeps its topic in the
   * union until the delay ends, so a subscription that comes back meanwhile costs no reconnect.
   */
  releasing: boolean;
}

export type TabSubscriptions = Record<string, TabSubscription>;

const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort();

/** This tab's interest, sorted, as the leader compares it. */
export function interestOf(subscriptions: TabSubscriptions): Interest {
  const all = Object.values(subscriptions);
  return {
    topics: sortedUnique(all.map((subscription) => subscription.topic)),
    events: sortedUnique(all.flatMap((subscription) => subscription.events)),
  };
}

/**
 * The releasing subscriptions a new subscription to `topic` ends at once. A topic no
 * subscription has grows the union, and the stream reconnects anyway: a release still waiting
 * rides on that one reconnect instead of costing a second when its delay ends. A topic the tab
 * has already ends none.
 */
export function releasesEndedBy(subscriptions: TabSubscriptions, topic: string): string[] {
  const all = Object.entries(subscriptions);
  if (all.some(([, subscription]) => subscription.topic === topic)) return [];
  return all.filter(([, subscription]) => subscription.releasing).map(([id]) => id);
}

export const sameInterest = (a: Interest, b: Interest) =>
  a.topics.join('\n') === b.topics.join('\n') && a.events.join('\n') === b.events.join('\n');

/**
 * Which subscriptions must refetch: those of a topic whose continuity is lost (`gaps`), and new
 * ones whose topic is now on an open stream (`streamed`). Each is asked once; the rest stay.
 */
export function planResync(
  subscriptions: TabSubscriptions,
  { gaps, streamed }: { gaps: readonly string[]; streamed: readonly string[] },
): { ids: string[]; subscriptions: TabSubscriptions } {
  const ids: string[] = [];
  const next: TabSubscriptions = { ...subscriptions };
  for (const [id, subscription] of Object.entries(subscriptions)) {
    const lost = gaps.includes(subscription.topic);
    const first = subscription.awaitingResync && streamed.includes(subscription.topic);
    if (!lost && !first) continue;
    ids.push(id);
    if (subscription.awaitingResync) next[id] = { ...subscription, awaitingResync: false };
  }
  return { ids, subscriptions: ids.length === 0 ? subscriptions : next };
}

/**
 * The topics of an opened stream this tab must resync. The leader's `gaps` are those its own resume
 * point cannot vouch for; a tab that delivered up to another id than the one the stream resumed
 * from (it followed a leader the others never heard) can vouch for none.
 */
export function gapsHere(
  opened: { topics: readonly string[]; gaps: readonly string[]; resumedFrom: string | null },
  lastEventId: string | null | undefined,
): readonly string[] {
  return opened.resumedFrom === (lastEventId ?? null) ? opened.gaps : opened.topics;
}
