import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createTabcast,
  TabcastError,
  TabcastHandlerError,
  type TabcastParseError,
} from '../../src/index.js';
import { FakeBrowser } from '../fakes/index.js';
import { Harness, URL } from '../support/harness.js';

async function openLeader(harness: Harness, options = {}) {
  const entry = harness.open(options);
  await harness.settle(10);
  harness.theSource().open();
  await harness.settle();
  return entry;
}

describe('malformed input (behaviour 11)', () => {
  it('delivers malformed event data as a typed parse error, never a throw', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open({ topics: [] });
    const errors: TabcastParseError[] = [];
    const good: unknown[] = [];
    tabcast.subscribe(
      'news',
      { tick: (data) => good.push(data) },
      { error: (error) => errors.push(error) },
    );
    await harness.settle(100);
    harness.theSource().open();
    const source = harness.theSource();
    source.emit('tick', '{not json', { id: 1 });
    source.emit('tick', '"no envelope"', { id: 2 });
    source.emitEnvelope('tick', 'news', 'fine', 3);
    await harness.settle();
    expect(errors.map((error) => [error.code, error.event, error.id])).toEqual([
      ['parse_error', 'tick', '1'],
      ['parse_error', 'tick', '2'],
    ]);
    expect(good).toEqual(['fine']);
  });

  it('reports an unhandled parse error through onError without the payload', async () => {
    const seen: TabcastError[] = [];
    const harness = new Harness({}, { onError: (error) => seen.push(error) });
    await openLeader(harness);
    harness.theSource().emit('tick', 'secret-token-123', { id: 9 });
    await harness.settle();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.message).not.toContain('secret-token-123');
  });

  it('a throwing handler is reported and breaks neither other handlers nor the stream', async () => {
    const reported: TabcastError[] = [];
    const harness = new Harness({}, { onError: (error) => reported.push(error) });
    const { tabcast, delivered } = await openLeader(harness);
    tabcast.subscribe('news', {
      tick: () => {
        throw new Error('app bug');
      },
    });
    tabcast.onStatus(() => {
      throw new Error('status bug');
    });
    await harness.settle(100);
    harness.theSource().emitEnvelope('tick', 'news', 'one', 1);
    harness.theSource().emitEnvelope('tick', 'news', 'two', 2);
    await harness.settle();
    expect(delivered.map((event) => event.data)).toEqual(['one', 'two']);
    expect(tabcast.status.phase).toBe('open');
    harness.theSource().drop();
    await harness.settle();
    expect(tabcast.status.phase).toBe('reconnecting');
    const callbacks = reported
      .filter((error): error is TabcastHandlerError => error instanceof TabcastHandlerError)
      .map((error) => error.callback);
    // Each event throws in its handler; the status listener throws once, for the reconnect.
    expect(callbacks).toEqual(['tick', 'tick', 'status']);
  });

  it('drops and counts garbage on the channel; nothing changes', async () => {
    const harness = new Harness();
    const leader = await openLeader(harness);
    const follower = harness.open();
    await harness.settle();
    const channel = 'tabcast:app:ada';
    const garbage = [
      'hello',
      null,
      42,
      { v: 1 },
      { v: 2, scope: 'app:ada', from: 'x', type: 'logout' },
      { v: 1, scope: 'app:bob', from: 'x', type: 'logout' },
      { v: 1, scope: 'app:ada', from: 'x', type: 'event', epoch: 99, id: '1' },
      { v: 1, scope: 'app:ada', from: 'x', type: 'claim', epoch: -3 },
    ];
    for (const data of garbage) harness.browser.postRaw(channel, data);
    await harness.settle(1000);
    for (const { tabcast } of [leader, follower]) {
      expect(tabcast.diagnostics().invalidChannelMessages).toBe(garbage.length);
      expect(tabcast.status.phase).toBe('open');
    }
    expect(leader.tabcast.status.role).toBe('leader');
    expect(harness.openSources()).toHaveLength(1);
  });

  it('drops a stale relayed event from an older term', async () => {
    const harness = new Harness();
    await openLeader(harness);
    const follower = harness.open();
    await harness.settle();
    harness.theSource().emitEnvelope('tick', 'news', 'real', 5);
    await harness.settle();
    harness.postAsPeer('tab-7', {
      type: 'events',
      stream: URL,
      epoch: 0,
      events: [{ id: '6', event: 'tick', data: '{"topic":"news","data":"forged"}' }],
    });
    expect(follower.tabcast.diagnostics().invalidChannelMessages).toBe(0); // valid, but stale
    await harness.settle();
    expect(follower.delivered.map((event) => event.data)).toEqual(['real']);
  });

  it('validates every option with a clear error', () => {
    const platform = new FakeBrowser().openTab().platform;
    const make = (options: object) => () =>
      createTabcast({ url: URL, appKey: 'app', platform, ...options });
    expect(make({ url: '' })).toThrowError(/`url`/);
    expect(make({ appKey: 'a:b' })).toThrowError(/`appKey`/);
    expect(make({ transport: 'websocket' })).toThrowError(/`transport`/);
    expect(make({ credentials: () => ({}) })).toThrowError(/`credentials` needs transport 'fetch'/);
    expect(make({ backoff: { strategy: 'random' } })).toThrowError(/`backoff.strategy`/);
    expect(make({ backoff: { maxAttempts: 0 } })).toThrowError(/`backoff.maxAttempts`/);
    expect(make({ timing: { stallTimeoutMs: -1 } })).toThrowError(/`timing.stallTimeoutMs`/);
    expect(make({ lastEventIdParam: 'a b' })).toThrowError(/`lastEventIdParam`/);
    expect(make({ events: { tabcast: {} } })).toThrowError(/reserved/);
    try {
      make({ url: 3 })();
    } catch (error) {
      expect(error).toBeInstanceOf(TabcastError);
      expect((error as TabcastError).code).toBe('invalid_option');
    }
  });
});

describe('scopes (behaviour 12)', () => {
  it('two users in one browser never see each other’s events, status or lock', async () => {
    const harness = new Harness();
    const ada = harness.open({ userId: 'ada' });
    const bob = harness.open({ userId: 'bob' });
    await harness.settle(10);
    expect(ada.tabcast.status.role).toBe('leader');
    expect(bob.tabcast.status.role).toBe('leader');
    expect(harness.browser.locks.held('tabcast:app:ada')).toBe(ada.tab.id);
    expect(harness.browser.locks.held('tabcast:app:bob')).toBe(bob.tab.id);
    const [adaSource, bobSource] = harness.openSources();
    adaSource!.open();
    adaSource!.emitEnvelope('tick', 'news', 'for ada', 1);
    await harness.settle();
    expect(ada.delivered.map((event) => event.data)).toEqual(['for ada']);
    expect(bob.delivered).toEqual([]);
    expect(bob.tabcast.status.phase).toBe('connecting');
    ada.tabcast.logout();
    await harness.settle();
    expect(bob.tabcast.status.phase).toBe('connecting');
    expect(bobSource!.closed).toBe(false);
  });

  it('a user switch in one tab starts from a fresh resume point', async () => {
    const harness = new Harness();
    const { tabcast } = await openLeader(harness);
    harness.theSource().emitEnvelope('tick', 'news', 'x', 77);
    await harness.settle();
    tabcast.login({ userId: 'bob' });
    await harness.settle(10);
    const source = harness.theSource();
    expect(new globalThis.URL(source.url).searchParams.get('lastEventId')).toBeNull();
    expect(tabcast.status.userId).toBe('bob');
    expect(harness.browser.locks.held('tabcast:app:ada')).toBeNull();
  });
});

describe('dispose (behaviour 13)', () => {
  it('leaves no timer, listener, channel, stream or lock behind', async () => {
    const harness = new Harness({ locks: false });
    const { tab, tabcast } = harness.open();
    await harness.settle(500);
    harness.theSource().open();
    const follower = harness.open();
    await harness.settle(1000);
    tabcast.dispose();
    await harness.settle();
    expect(tab.clock.pendingTimers()).toBe(0);
    for (const type of ['online', 'offline', 'pagehide', 'pageshow']) {
      expect(tab.window.listenerCount(type)).toBe(0);
    }
    expect(
      harness.browser.eventSources.filter((source) => source.tabId === tab.id && !source.closed),
    ).toHaveLength(0);
    expect(() => tabcast.subscribe('x', {})).toThrowError(/disposed/);
    // The follower hears the bye of a leader and takes over at once.
    await harness.settle(300);
    expect(follower.tabcast.status.role).toBe('leader');
  });

  it('releases the Web Lock and leaves the queue', async () => {
    const harness = new Harness();
    const leader = harness.open();
    const follower = harness.open();
    await harness.settle(10);
    follower.tabcast.dispose();
    await harness.settle();
    expect(harness.browser.locks.queued('tabcast:app:ada')).toBe(0);
    leader.tabcast.dispose();
    await harness.settle();
    expect(harness.browser.locks.held('tabcast:app:ada')).toBeNull();
  });
});

describe('typed events (behaviour 14)', () => {
  interface Events {
    'order-placed': { id: number; at: Date };
    'order-cancelled': { id: number };
  }

  it('runs the per-event parse in every tab and types the handlers', async () => {
    const browser = new FakeBrowser();
    const tabs = [browser.openTab(), browser.openTab()];
    const received: Array<{ tab: string; at: Date }> = [];
    const errors: TabcastParseError[] = [];
    for (const tab of tabs) {
      const tabcast = createTabcast<Events>({
        url: URL,
        appKey: 'app',
        tabId: tab.id,
        platform: tab.platform,
        events: {
          'order-placed': {
            parse: (data) => {
              const raw = data as { id: number; at: string };
              if (typeof raw.id !== 'number') throw new Error('no id');
              return { id: raw.id, at: new Date(raw.at) };
            },
          },
        },
      });
      tabcast.subscribe(
        'orders',
        {
          'order-placed': (order) => {
            expectTypeOf(order).toEqualTypeOf<{ id: number; at: Date }>();
            received.push({ tab: tab.id, at: order.at });
          },
        },
        { error: (error) => errors.push(error) },
      );
      tabcast.login({ userId: 'ada' });
    }
    await browser.clock.advance(10);
    const source = browser.eventSources.at(-1)!;
    source.open();
    source.emitEnvelope('order-placed', 'orders', { id: 1, at: '2026-01-02T03:04:05Z' }, 1);
    source.emitEnvelope('order-placed', 'orders', { at: 'no id' }, 2);
    await browser.clock.advance(0);
    expect(received.map((entry) => entry.tab)).toEqual(['tab-1', 'tab-2']);
    expect(
      received.every((entry) => entry.at instanceof Date && entry.at.getUTCFullYear() === 2026),
    ).toBe(true);
    expect(errors.map((error) => [error.code, error.id])).toEqual([
      ['parse_error', '2'],
      ['parse_error', '2'],
    ]);
  });
});

describe('continuity (behaviour 15)', () => {
  it('asks subscribers to resync on first connect, not on a resume with an id', async () => {
    const harness = new Harness();
    const leader = await openLeader(harness);
    expect(leader.resyncs).toEqual(['news']);
    harness.theSource().emitEnvelope('tick', 'news', 1, 1);
    harness.theSource().drop();
    await harness.settle(2000);
    harness.theSource().open();
    await harness.settle();
    expect(leader.resyncs).toEqual(['news']);
  });

  it('asks every tab to resync on a server reset', async () => {
    const harness = new Harness();
    const leader = await openLeader(harness);
    const follower = harness.open();
    await harness.settle();
    harness.theSource().emit('tabcast', '{"type":"reset"}', { id: 50 });
    await harness.settle();
    expect(leader.resyncs).toEqual(['news', 'news']);
    expect(follower.resyncs).toEqual(['news', 'news']);
  });

  it('a topic added later resyncs once it is on the stream', async () => {
    const harness = new Harness();
    const { tabcast } = await openLeader(harness);
    harness.theSource().emitEnvelope('tick', 'news', 1, 1);
    await harness.settle();
    const resyncs: string[] = [];
    tabcast.subscribe('chat', { said: () => {} }, { resync: () => resyncs.push('chat') });
    await harness.settle(10);
    expect(resyncs).toEqual([]);
    await harness.settle(100);
    harness.theSource().open();
    await harness.settle();
    expect(resyncs).toEqual(['chat']);
  });

  it('a follower joining a topic the stream already carries resyncs without a reconnect', async () => {
    const harness = new Harness();
    await openLeader(harness);
    const created = harness.browser.eventSources.length;
    const follower = harness.open({ topics: ['news'] });
    await harness.settle(200);
    expect(harness.browser.eventSources.length).toBe(created);
    expect(follower.resyncs).toEqual(['news']);
  });
});
