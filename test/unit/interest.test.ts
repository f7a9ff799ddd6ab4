/**
 * What a tab asks the leader to stream (its interest) and which of its subscriptions must
 * refetch (resync): the pure half of the tab chart.
 */
import { describe, expect, it } from 'vitest';
import { gapsOf } from '../../machines/tab.resume.js';
import { interestOf, planResync, releasesEndedBy, sameInterest } from '../../machines/tab.utils.js';

const subscription = (topic: string, events = ['tick'], awaitingResync = false) => ({
  topic,
  events,
  awaitingResync,
  releasing: false,
});

describe("a tab's interest", () => {
  it('names each topic and event once, sorted, however the subscriptions came', () => {
    const interest = interestOf({
      s1: subscription('news', ['tick', 'alert']),
      s2: subscription('chat', ['said']),
      s3: subscription('news', ['tick']),
    });
    expect(interest).toEqual({ topics: ['chat', 'news'], events: ['alert', 'said', 'tick'] });
  });

  it('is the same only when both the topics and the event names are', () => {
    const interest = { topics: ['a', 'b'], events: ['x'] };
    expect(sameInterest(interest, { topics: ['a', 'b'], events: ['x'] })).toBe(true);
    expect(sameInterest(interest, { topics: ['ab'], events: ['x'] })).toBe(false);
    expect(sameInterest({ topics: ['ab'], events: ['x'] }, interest)).toBe(false);
    expect(sameInterest(interest, { topics: ['a', 'b'], events: ['x', 'y'] })).toBe(false);
    expect(sameInterest(interest, { topics: ['a'], events: ['x'] })).toBe(false);
    expect(sameInterest({ topics: [], events: ['xy'] }, { topics: [], events: ['x', 'y'] })).toBe(
      false,
    );
    expect(sameInterest({ topics: [], events: ['x', 'y'] }, { topics: [], events: ['xy'] })).toBe(
      false,
    );
  });
});

describe('which releases a new subscription ends', () => {
  const releasing = (topic: string) => ({ ...subscription(topic), releasing: true });

  it('every release still waiting, when the topic is new to the tab (the union grows)', () => {
    const subscriptions = {
      s1: releasing('news'),
      s2: subscription('chat'),
      s3: releasing('chat'),
    };
    expect(releasesEndedBy(subscriptions, 'orders')).toEqual(['s1', 's3']);
  });

  it('none when a subscription has the topic already, releasing or not', () => {
    const subscriptions = {
      s1: releasing('news'),
      s2: subscription('chat'),
      s3: releasing('chat'),
    };
    expect(releasesEndedBy(subscriptions, 'news')).toEqual([]);
    expect(releasesEndedBy(subscriptions, 'chat')).toEqual([]);
  });
});

describe('which subscriptions resync', () => {
  it('asks a new subscription once its topic is streamed, and only then', () => {
    const subscriptions = { s1: subscription('news', ['tick'], true) };
    expect(planResync(subscriptions, { gaps: [], streamed: ['chat'] })).toEqual({
      ids: [],
      subscriptions,
    });
    const first = planResync(subscriptions, { gaps: [], streamed: ['news'] });
    expect(first).toEqual({
      ids: ['s1'],
      subscriptions: { s1: subscription('news', ['tick'], false) },
    });
    expect(planResync(first.subscriptions, { gaps: [], streamed: ['news'] }).ids).toEqual([]);
  });

  it('asks every subscription of a topic that lost continuity, again each time', () => {
    const subscriptions = {
      s1: subscription('news'),
      s2: subscription('chat'),
      s3: subscription('news'),
    };
    const plan = planResync(subscriptions, { gaps: ['news'], streamed: ['news', 'chat'] });
    expect(plan.ids).toEqual(['s1', 's3']);
    expect(plan.subscriptions).toEqual(subscriptions);
  });

  it('keeps the subscriptions as they were when nobody is asked', () => {
    const subscriptions = { s1: subscription('news', ['tick'], true) };
    expect(planResync(subscriptions, { gaps: ['chat'], streamed: [] }).subscriptions).toBe(
      subscriptions,
    );
  });
});

describe('which topics a resumed stream cannot vouch for', () => {
  it('all of them without a resume id, else those the resume point was not proven for', () => {
    expect(gapsOf(['chat', 'news'], { lastEventId: null, provenTopics: ['news'] })).toEqual([
      'chat',
      'news',
    ]);
    expect(gapsOf(['chat', 'news'], { lastEventId: '7', provenTopics: ['news'] })).toEqual([
      'chat',
    ]);
    expect(gapsOf(['news'], { lastEventId: '7', provenTopics: ['chat', 'news'] })).toEqual([]);
  });
});
