import { describe, expect, it } from 'vitest';
import { TabcastError } from '../../src/index.js';
import { Harness } from '../support/harness.js';

const topicsOf = (url: string) => new URL(url).searchParams.get('topics');

describe('topics (docs/architecture.md, Topics)', () => {
  it("multiplexes every tab's topics onto the leader's one stream, reconnecting once", async () => {
    const harness = new Harness();
    harness.open({ topics: ['news'] });
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    const follower = harness.open({ topics: ['chat', 'news'], events: ['said'] });
    await harness.settle(200);
    expect(harness.browser.eventSources).toHaveLength(2);
    expect(topicsOf(harness.theSource().url)).toBe('chat,news');
    harness.theSource().open();
    harness.theSource().emitEnvelope('said', 'chat', 'hi', 1);
    await harness.settle();
    expect(follower.delivered).toEqual([{ topic: 'chat', event: 'said', id: '1', data: 'hi' }]);
    expect(harness.tabs[0]!.delivered).toEqual([]);
  });

  it('a topic swapped for another reconnects with the new set, as many topics as before', async () => {
    const harness = new Harness();
    const { unsubscribe, tabcast } = harness.open({ topics: ['chat', 'news'] });
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    unsubscribe[1]!();
    tabcast.subscribe('sport', { tick: () => {} });
    await harness.settle(200);
    expect(topicsOf(harness.theSource().url)).toBe('chat,sport');
  });

  it('does not reconnect when followers heartbeat or re-announce the same set', async () => {
    const harness = new Harness({ locks: false });
    harness.open({ topics: ['news'] });
    await harness.settle(500);
    harness.open({ topics: ['chat'] });
    harness.open({ topics: ['chat'] });
    await harness.settle(500);
    harness.theSource().open();
    const created = harness.browser.eventSources.length;
    for (let second = 0; second < 30; second++) {
      // What a buggy follower would do on every heartbeat: announce the same set again.
      harness.postAsPeer('tab-2', { type: 'topics', topics: ['chat'], events: ['tick'] });
      await harness.settle(1000);
    }
    expect(harness.theSource().closed).toBe(false);
    expect(harness.browser.eventSources.length).toBe(created);
  });

  it.each([['locks'], ['fallback']])(
    "drops a closed follower's topics from the stream (%s)",
    async (mode) => {
      const harness = new Harness({ locks: mode === 'locks' });
      harness.open({ topics: ['news'] });
      await harness.settle(500);
      const follower = harness.open({ topics: ['chat'] });
      await harness.settle(500);
      expect(topicsOf(harness.theSource().url)).toBe('chat,news');
      await follower.tab.close();
      await harness.settle(500);
      expect(topicsOf(harness.theSource().url)).toBe('news');
    },
  );

  it('refcounts subscriptions and only drops a topic when its last subscriber leaves', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open({ topics: [] });
    const stopFirst = tabcast.subscribe('a', { tick: () => {} });
    const stopSecond = tabcast.subscribe('a', { tick: () => {} });
    tabcast.subscribe('b', { tick: () => {} });
    await harness.settle(100);
    expect(topicsOf(harness.theSource().url)).toBe('a,b');
    stopFirst();
    stopFirst();
    await harness.settle(100);
    expect(topicsOf(harness.theSource().url)).toBe('a,b');
    stopSecond();
    await harness.settle(100);
    expect(topicsOf(harness.theSource().url)).toBe('b');
  });

  it('does not reconnect when the topics come back to what the stream carries', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open({ topics: ['news'] });
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    const stop = tabcast.subscribe('chat', { said: () => {} });
    await harness.settle(10);
    stop();
    await harness.settle(500);
    expect(harness.browser.eventSources).toHaveLength(1);
    expect(harness.theSource().closed).toBe(false);
  });

  it('debounces a burst of subscriptions into one reconnect', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open({ topics: ['start'] });
    await harness.settle(10);
    const before = harness.browser.eventSources.length;
    for (let index = 0; index < 20; index++) tabcast.subscribe(`t${index}`, { tick: () => {} });
    await harness.settle(500);
    expect(harness.browser.eventSources.length).toBe(before + 1);
  });

  it('a burst spread over the debounce still reconnects once, after its last change', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open({ topics: ['start'] });
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    const before = harness.browser.eventSources.length;
    for (let index = 0; index < 5; index++) {
      tabcast.subscribe(`t${index}`, { tick: () => {} });
      await harness.settle(40);
    }
    expect(harness.browser.eventSources.length).toBe(before);
    await harness.settle(500);
    expect(harness.browser.eventSources.length).toBe(before + 1);
    expect(topicsOf(harness.theSource().url)).toBe('start,t0,t1,t2,t3,t4');
  });

  it('a stream lost during the debounce reconnects once, with the new topics', async () => {
    const harness = new Harness({}, { backoff: { strategy: 'none', baseMs: 10 } });
    const { tabcast } = harness.open({ topics: ['start'] });
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    const before = harness.browser.eventSources.length;
    tabcast.subscribe('late', { tick: () => {} });
    await harness.settle(20);
    harness.theSource().drop();
    await harness.settle(20);
    harness.theSource().open();
    await harness.settle(500);
    expect(harness.browser.eventSources.length).toBe(before + 1);
    expect(topicsOf(harness.theSource().url)).toBe('late,start');
  });

  it('never mixes topics and event names: handlers get only their event of their topic', async () => {
    const harness = new Harness();
    const entry = harness.open({ topics: ['status'], events: ['status'] });
    await harness.settle(10);
    const source = harness.theSource();
    source.open();
    expect(topicsOf(source.url)).toBe('status');
    source.emitEnvelope('other', 'status', 'x', 1);
    source.emitEnvelope('status', 'elsewhere', 'y', 2);
    source.emitEnvelope('status', 'status', 'z', 3);
    await harness.settle();
    expect(entry.delivered.map((event) => event.data)).toEqual(['z']);
  });

  it.each([['a\rb'], ['a\nb'], ['a,b'], ['x'.repeat(129)], ['']])(
    'rejects the topic %j with a clear error',
    (topic) => {
      const harness = new Harness();
      const { tabcast } = harness.open({ topics: [] });
      expect(() => tabcast.subscribe(topic, { tick: () => {} })).toThrowError(TabcastError);
    },
  );
});
