import { describe, expect, it } from 'vitest';
import {
  createTabcast,
  TabcastError,
  TabcastHandlerError,
  type TabcastParseError,
} from '../../src/index.js';
import { FakeBrowser } from '../fakes/index.js';
import { Harness, openLeader, URL } from '../support/harness.js';

describe('malformed input (docs/architecture.md, Delivery; docs/api.md, onError)', () => {
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
