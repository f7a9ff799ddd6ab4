/**
 * Nothing to stream, nothing requested (issue 9): a login before the first subscription, or
 * after the last one ends, used to open `?topics=` and show `failed` on the companion's 400.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';

const requests = (harness: Harness) =>
  harness.browser.eventSources.length + harness.browser.fetches.length;

describe('no topic, no stream', () => {
  it.each(['eventsource', 'fetch'] as const)(
    'a login with no subscription makes no request and says idle in every tab (%s)',
    async (transport) => {
      const harness = new Harness({}, { transport });
      const tabs = [harness.open({ topics: [] }), harness.open({ topics: [] })];
      await harness.settle(2_000);
      expect(requests(harness)).toBe(0);
      expect(tabs.map(({ tabcast }) => tabcast.status.phase)).toEqual(['idle', 'idle']);
      expect(tabs.map(({ tabcast }) => tabcast.status.role)).toEqual(['leader', 'follower']);
      // An idle leader in locks mode waits for nothing.
      expect(tabs[0]!.tab.clock.pendingTimers()).toBe(0);

      tabs[1]!.tabcast.subscribe('news', { tick: () => {} });
      await harness.settle(100);
      expect(requests(harness)).toBe(1);
      expect(tabs.map(({ tabcast }) => tabcast.status.phase)).toEqual(['connecting', 'connecting']);
    },
  );

  it('goes idle again when the last subscription of every tab ends, after the debounce', async () => {
    const harness = new Harness();
    const leader = harness.open();
    const follower = harness.open({ topics: ['chat'] });
    await harness.settle(100);
    harness.theSource().open();
    await harness.settle();
    for (const stop of leader.unsubscribe) stop();
    await harness.settle(100);
    expect(new URL(harness.theSource().url).searchParams.get('topics')).toBe('chat');
    harness.theSource().open();
    for (const stop of follower.unsubscribe) stop();
    await harness.settle(100);
    expect(harness.openSources()).toEqual([]);
    // news, then news and chat once the follower was heard, then chat: none after.
    expect(
      harness.browser.eventSources.map((source) => source.url.split('topics=')[1]?.split('&')[0]),
    ).toEqual(['news', 'chat%2Cnews', 'chat']);
    expect([leader, follower].map(({ tabcast }) => tabcast.status.phase)).toEqual(['idle', 'idle']);
  });

  it('a quick unsubscribe and subscribe keeps the stream (the debounce)', async () => {
    const harness = new Harness();
    const { tabcast, unsubscribe } = harness.open();
    await harness.settle(100);
    harness.theSource().open();
    for (const stop of unsubscribe) stop();
    tabcast.subscribe('news', { tick: () => {} });
    await harness.settle(1_000);
    expect(harness.browser.eventSources).toHaveLength(1);
    expect(tabcast.status.phase).toBe('open');
  });

  it('leaves backoff for idle when the topics go, and never reconnects', async () => {
    const harness = new Harness();
    const { tabcast, unsubscribe } = harness.open();
    await harness.settle(100);
    harness.theSource().drop();
    await harness.settle();
    expect(tabcast.status.phase).toBe('reconnecting');
    for (const stop of unsubscribe) stop();
    await harness.settle(60_000);
    expect(tabcast.status.phase).toBe('idle');
    expect(harness.browser.eventSources).toHaveLength(1);
    expect(tabcast.status.attempt).toBe(0);
  });
});
