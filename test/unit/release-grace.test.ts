/**
 * `subscribe(topic, handlers, { graceMs })`: the unsubscribe silences the handlers at once but
 * keeps the topic in the tab's union for the grace delay, so a subscription that comes back to
 * it (StrictMode's remount, the next page of a route change) costs no reconnect. A topic the tab
 * does not have reconnects anyway, so it ends every release still waiting (issue 13.4: this was
 * the React registry's, on timers of its own; it is the tab chart's now, on the handle's clock).
 */
import { describe, expect, it } from 'vitest';
import { TabcastError } from '../../src/index.js';
import { Harness, openLeader } from '../support/harness.js';

const topicsOf = (url: string) => new URL(url).searchParams.get('topics');

/** A leader with its stream open on `news` (held by the harness) and nothing else. */
async function leaderOnNews() {
  const harness = new Harness();
  const leader = await openLeader(harness, { topics: ['news'] });
  return { harness, tabcast: leader.tabcast };
}

describe('subscribe with a grace delay', () => {
  it('keeps the topic on the stream through the delay, while its handlers hear nothing', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open({ topics: [] });
    const heard: unknown[] = [];
    const resyncs: string[] = [];
    const stop = tabcast.subscribe(
      'orders',
      { placed: (data) => heard.push(data) },
      { graceMs: 500, resync: () => resyncs.push('orders') },
    );
    await harness.settle(10);
    const source = harness.theSource();
    source.open();
    await harness.settle();
    expect(resyncs).toEqual(['orders']);

    stop();
    source.emitEnvelope('placed', 'orders', 'after the unsubscribe', 1);
    await harness.settle(499);
    expect(heard).toEqual([]);
    expect(resyncs).toEqual(['orders']);
    expect(harness.theSource()).toBe(source);
    expect(topicsOf(source.url)).toBe('orders');
    expect(tabcast.status.phase).toBe('open');

    await harness.settle(1);
    await harness.settle(100);
    expect(source.closed).toBe(true);
    expect(harness.openSources()).toHaveLength(0);
    expect(tabcast.status.phase).toBe('idle');
  });

  it('costs no reconnect when the topic is subscribed again within the delay', async () => {
    const { harness, tabcast } = await leaderOnNews();
    const stop = tabcast.subscribe('orders', { placed: () => {} }, { graceMs: 1_000 });
    await harness.settle(100);
    const source = harness.theSource();
    source.open();
    await harness.settle();
    const created = harness.browser.eventSources.length;

    stop();
    const heard: unknown[] = [];
    tabcast.subscribe('orders', { placed: (data) => heard.push(data) });
    await harness.settle(2_000);
    expect(harness.browser.eventSources).toHaveLength(created);
    expect(harness.theSource()).toBe(source);
    expect(topicsOf(source.url)).toBe('news,orders');
    source.emitEnvelope('placed', 'orders', 'still here', 1);
    await harness.settle();
    expect(heard).toEqual(['still here']);
  });

  it('ends every release still waiting when a new topic comes: one reconnect for both', async () => {
    const { harness, tabcast } = await leaderOnNews();
    const stopOrders = tabcast.subscribe('orders', { placed: () => {} }, { graceMs: 1_000 });
    const stopChat = tabcast.subscribe('chat', { said: () => {} }, { graceMs: 1_000 });
    await harness.settle(100);
    harness.theSource().open();
    await harness.settle();
    expect(topicsOf(harness.theSource().url)).toBe('chat,news,orders');
    const created = harness.browser.eventSources.length;

    stopOrders();
    stopChat();
    tabcast.subscribe('results:42', { done: () => {} });
    await harness.settle(100);
    expect(harness.browser.eventSources).toHaveLength(created + 1);
    expect(topicsOf(harness.theSource().url)).toBe('news,results:42');
    harness.theSource().open();
    // The delays the releases had would have ended here: nothing is left to change.
    await harness.settle(2_000);
    expect(harness.browser.eventSources).toHaveLength(created + 1);
  });

  it('a new subscription to a topic the tab has ends no release', async () => {
    const { harness, tabcast } = await leaderOnNews();
    const stop = tabcast.subscribe('orders', { placed: () => {} }, { graceMs: 1_000 });
    await harness.settle(100);
    stop();
    tabcast.subscribe('news', { alert: () => {} });
    await harness.settle(999);
    expect(topicsOf(harness.theSource().url)).toBe('news,orders');
    await harness.settle(100);
    expect(topicsOf(harness.theSource().url)).toBe('news');
  });

  it('leaves no timer behind when the handle is disposed during the delay', async () => {
    const { harness, tabcast } = await leaderOnNews();
    const stop = tabcast.subscribe('orders', { placed: () => {} }, { graceMs: 60_000 });
    stop();
    tabcast.dispose();
    await harness.settle();
    expect(harness.clock.pendingTimers()).toBe(0);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '100'])(
    'rejects the grace delay %s with invalid_option',
    (graceMs) => {
      const { tabcast } = new Harness().open({ topics: [] });
      const subscribe = () =>
        tabcast.subscribe('orders', { placed: () => {} }, { graceMs: graceMs as number });
      expect(subscribe).toThrow(TabcastError);
      expect(subscribe).toThrow(
        expect.objectContaining({
          code: 'invalid_option',
          message: 'tabcast: `graceMs` must be a finite number >= 0',
        }),
      );
    },
  );
});
