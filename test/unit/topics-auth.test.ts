import { describe, expect, it, vi } from 'vitest';
import { TabcastError, TIMING_DEFAULTS } from '../../src/index.js';
import { Harness } from '../support/harness.js';

const topicsOf = (url: string) => new URL(url).searchParams.get('topics');

describe('topics (behaviour 8)', () => {
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

describe('auth (behaviour 9)', () => {
  it('logout in a follower stops every stream, releases the lock, and nothing reconnects', async () => {
    const harness = new Harness();
    const leader = harness.open();
    const follower = harness.open();
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    follower.tabcast.logout();
    await harness.settle();
    expect(harness.openSources()).toHaveLength(0);
    expect(leader.tabcast.status.phase).toBe('signedOut');
    expect(follower.tabcast.status.phase).toBe('signedOut');
    // The tab that signed out keeps its place in the queue for the sign-out grace only.
    await harness.settle(TIMING_DEFAULTS.signOutGraceMs);
    expect(harness.browser.locks.held('tabcast:app:ada')).toBeNull();
    expect(harness.browser.locks.queued('tabcast:app:ada')).toBe(0);
    expect(leader.tabcast.status.phase).toBe('signedOut');
    expect(follower.tabcast.status.phase).toBe('signedOut');
    const created = harness.browser.eventSources.length;
    await harness.settle(120_000);
    expect(harness.browser.eventSources.length).toBe(created);
  });

  it('logout in the leader: the next tab in the lock queue never connects', async () => {
    const harness = new Harness();
    const leader = harness.open();
    harness.open();
    harness.open();
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    const created = harness.browser.eventSources.length;
    leader.tabcast.logout();
    await harness.settle(1000);
    expect(harness.browser.eventSources).toHaveLength(created);
    expect(harness.openSources()).toHaveLength(0);
    expect(harness.browser.locks.held('tabcast:app:ada')).toBeNull();
  });

  it.each([['backoff'], ['connecting']])(
    'logout during %s leaves nothing to reconnect',
    async (phase) => {
      const harness = new Harness();
      harness.open();
      const follower = harness.open();
      await harness.settle(10);
      if (phase === 'backoff') {
        harness.theSource().drop();
        await harness.settle();
        expect(follower.tabcast.status.phase).toBe('reconnecting');
      }
      follower.tabcast.logout();
      await harness.settle();
      expect(harness.openSources()).toHaveLength(0);
      const created = harness.browser.eventSources.length;
      await harness.settle(120_000);
      expect(harness.browser.eventSources.length).toBe(created);
      expect(harness.tabs.every((entry) => entry.tab.clock.pendingTimers() === 0)).toBe(true);
    },
  );

  it('a 401 refreshes once and reconnects without a status flicker', async () => {
    const refreshCredentials = vi.fn(async () => true);
    const harness = new Harness({}, { transport: 'fetch', refreshCredentials });
    const { tabcast } = harness.open();
    const phases: string[] = [];
    tabcast.onStatus((status) => phases.push(status.phase));
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(401);
    await harness.settle();
    expect(refreshCredentials).toHaveBeenCalledTimes(1);
    expect(harness.browser.fetches).toHaveLength(2);
    harness.browser.fetches.at(-1)!.respond(200);
    await harness.settle();
    expect(tabcast.status.phase).toBe('open');
    expect(phases).not.toContain('signedOut');
    expect(phases).not.toContain('failed');
  });

  it.each([
    ['the refresh fails', async () => false],
    ['the refresh throws', async () => Promise.reject(new Error('nope'))],
  ])('a 401 signs every tab out when %s', async (_name, refresh) => {
    const harness = new Harness({}, { transport: 'fetch', refreshCredentials: refresh });
    const tabs = [harness.open(), harness.open()];
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(401);
    await harness.settle();
    for (const { tabcast } of tabs) expect(tabcast.status.phase).toBe('signedOut');
    await harness.settle(TIMING_DEFAULTS.signOutGraceMs);
    expect(harness.browser.locks.held('tabcast:app:ada')).toBeNull();
  });

  it('a second 401 right after a refresh signs out instead of looping', async () => {
    const refreshCredentials = vi.fn(async () => true);
    const harness = new Harness({}, { transport: 'fetch', refreshCredentials });
    const { tabcast } = harness.open();
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(401);
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(401);
    await harness.settle();
    expect(refreshCredentials).toHaveBeenCalledTimes(1);
    expect(tabcast.status.phase).toBe('signedOut');
  });

  it('sends fresh credentials on every connect (fetch transport)', async () => {
    let token = 'one';
    const harness = new Harness(
      {},
      {
        transport: 'fetch',
        credentials: () => ({ authorization: `Bearer ${token}` }),
        refreshCredentials: async () => {
          token = 'two';
        },
      },
    );
    harness.open();
    await harness.settle();
    expect(harness.browser.fetches[0]!.headers.authorization).toBe('Bearer one');
    harness.browser.fetches[0]!.respond(401);
    await harness.settle();
    expect(harness.browser.fetches[1]!.headers.authorization).toBe('Bearer two');
  });

  it('a server force_logout signs out every tab', async () => {
    const harness = new Harness();
    const tabs = [harness.open(), harness.open(), harness.open()];
    await harness.settle(10);
    harness.theSource().open();
    harness.theSource().emit('tabcast', '{"type":"force_logout"}');
    await harness.settle();
    for (const { tabcast } of tabs) expect(tabcast.status.phase).toBe('signedOut');
    expect(harness.openSources()).toHaveLength(0);
  });

  it('a 401 on EventSource is learnt with one probe request (eventsource transport)', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open();
    await harness.settle(10);
    harness.theSource().fail();
    await harness.settle();
    expect(harness.browser.fetches).toHaveLength(1);
    harness.browser.fetches[0]!.respond(401);
    await harness.settle();
    expect(tabcast.status.phase).toBe('signedOut');
  });

  it('403 (forbidden topic) fails without retrying', async () => {
    const harness = new Harness({}, { transport: 'fetch' });
    const { tabcast } = harness.open();
    await harness.settle();
    harness.browser.fetches[0]!.respond(403);
    await harness.settle(120_000);
    expect(harness.browser.fetches).toHaveLength(1);
    expect(tabcast.status.phase).toBe('failed');
    expect(tabcast.status.error?.code).toBe('forbidden');
  });

  it('after a 403 for a topic, dropping that topic connects again', async () => {
    const harness = new Harness({}, { transport: 'fetch' });
    const { tabcast } = harness.open({ topics: ['news'] });
    const stop = tabcast.subscribe('admin', { tick: () => {} });
    await harness.settle(100);
    harness.browser.fetches.at(-1)!.respond(403);
    await harness.settle();
    expect(tabcast.status.phase).toBe('failed');
    const attempts = harness.browser.fetches.length;
    stop();
    await harness.settle(100);
    expect(harness.browser.fetches).toHaveLength(attempts + 1);
    expect(topicsOf(harness.browser.fetches.at(-1)!.url)).toBe('news');
  });

  it('204 closes for good until retry()', async () => {
    const harness = new Harness({}, { transport: 'fetch' });
    const { tabcast } = harness.open();
    await harness.settle();
    harness.browser.fetches[0]!.respond(204);
    await harness.settle(120_000);
    expect(tabcast.status.phase).toBe('closed');
    expect(harness.browser.fetches).toHaveLength(1);
    tabcast.retry();
    await harness.settle();
    expect(harness.browser.fetches).toHaveLength(2);
  });
});
