import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE_RECONNECT_MS } from '../fakes/index.js';
import { Harness, openLeader } from '../support/harness.js';

const base = { backoff: { baseMs: 1000, capMs: 30_000 } };

describe('stream errors (docs/api.md, Status)', () => {
  it('closes the source at once, so the browser never auto-reconnects beside the machine', async () => {
    const harness = new Harness({}, base);
    const { tabcast } = await openLeader(harness);
    const source = harness.theSource();
    source.drop();
    await harness.settle();
    expect(source.closed).toBe(true);
    expect(tabcast.status.phase).toBe('reconnecting');
    await harness.settle(EVENT_SOURCE_RECONNECT_MS + 40_000);
    expect(source.autoReconnects).toBe(0);
    // Exactly one new source per backoff, never two at once.
    expect(harness.openSources()).toHaveLength(1);
  });
});

describe('backoff (docs/api.md, backoff)', () => {
  it('waits the jittered delay, never reconnects twice, and resets after a stable open', async () => {
    const harness = new Harness({}, base);
    const { tabcast } = await openLeader(harness);
    const created = () => harness.browser.eventSources.length;
    for (let attempt = 1; attempt <= 3; attempt++) {
      harness.theSource().drop();
      await harness.settle();
      expect(tabcast.status.attempt).toBe(attempt);
      const retryAt = tabcast.status.retryAt!;
      const delay = retryAt - harness.clock.now();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(1000 * 2 ** (attempt - 1));
      const before = created();
      if (delay > 0) {
        await harness.settle(delay - 1);
        expect(created()).toBe(before);
      }
      await harness.settle(1);
      expect(created()).toBe(before + 1);
      expect(tabcast.status.phase).toBe('reconnecting');
    }
    harness.theSource().open();
    await harness.settle(5000);
    expect(tabcast.status.attempt).toBe(0);
    expect(tabcast.status.phase).toBe('open');
  });

  it('gives up after maxAttempts (failed), and retry() from a follower reconnects', async () => {
    const harness = new Harness({}, { backoff: { maxAttempts: 2, baseMs: 10, capMs: 10 } });
    const leader = await openLeader(harness);
    const follower = harness.open();
    await harness.settle(10);
    harness.theSource().drop();
    await harness.settle(20);
    harness.theSource().drop();
    await harness.settle(20);
    expect(leader.tabcast.status.phase).toBe('failed');
    expect(follower.tabcast.status.phase).toBe('failed');
    expect(leader.tabcast.status.error?.code).toBe('max_attempts');
    expect(harness.openSources()).toHaveLength(0);
    await harness.settle(60_000);
    expect(harness.openSources()).toHaveLength(0);
    follower.tabcast.retry();
    await harness.settle(10);
    expect(harness.openSources()).toHaveLength(1);
    expect(harness.theSource().tabId).toBe(leader.tab.id);
  });

  it('retry() in backoff connects now and resets the attempt counter', async () => {
    const harness = new Harness({}, { backoff: { baseMs: 60_000, capMs: 60_000 } });
    const { tabcast } = await openLeader(harness);
    harness.theSource().drop();
    await harness.settle();
    tabcast.retry();
    await harness.settle();
    expect(harness.openSources()).toHaveLength(1);
    expect(tabcast.status.attempt).toBe(0);
  });

  it('a follower retry() takes over when the leader is gone (fallback)', async () => {
    const harness = new Harness({ locks: false });
    harness.open();
    const follower = harness.open();
    await harness.settle(2000);
    const leader = harness.leaders()[0]!;
    expect(leader).not.toBe(follower);
    leader.tab.crash();
    await harness.settle(3600);
    follower.tabcast.retry();
    await harness.settle(300);
    expect(follower.tabcast.status.role).toBe('leader');
  });

  it('respects Retry-After on 429 (fetch transport): no attempt before it', async () => {
    const harness = new Harness({}, { transport: 'fetch' });
    const { tabcast } = harness.open();
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(429, { 'retry-after': '2' });
    await harness.settle();
    expect(tabcast.status.phase).toBe('reconnecting');
    expect(tabcast.status.retryAt! - harness.clock.now()).toBeGreaterThanOrEqual(2000);
    await harness.settle(1999);
    expect(harness.browser.fetches).toHaveLength(1);
    await harness.settle(1001);
    expect(harness.browser.fetches).toHaveLength(2);
  });

  it("uses the server's retry: field as the base and the floor (fetch transport)", async () => {
    const harness = new Harness(
      {},
      { transport: 'fetch', backoff: { baseMs: 60_000, capMs: 60_000 } },
    );
    const { tabcast } = harness.open();
    await harness.settle();
    const call = harness.browser.fetches.at(-1)!;
    call.respond(200);
    call.write('retry: 100\n\n');
    await harness.settle();
    call.end();
    await harness.settle();
    const wait = tabcast.status.retryAt! - harness.clock.now();
    expect(wait).toBeGreaterThanOrEqual(100);
    expect(wait).toBeLessThanOrEqual(200);
  });
});

describe('online and stalls (docs/api.md, timing)', () => {
  it('coming back online skips the backoff', async () => {
    const harness = new Harness({}, { backoff: { baseMs: 60_000, capMs: 60_000 } });
    const { tab } = await openLeader(harness);
    harness.theSource().drop();
    tab.setOnline(false);
    await harness.settle();
    expect(harness.openSources()).toHaveLength(0);
    tab.setOnline(true);
    await harness.settle();
    expect(harness.openSources()).toHaveLength(1);
  });

  it('reconnects a stalled stream, but not one kept alive by heartbeats', async () => {
    const harness = new Harness({}, { timing: { stallTimeoutMs: 10_000 } });
    const { tabcast } = await openLeader(harness);
    const source = harness.theSource();
    for (let second = 0; second < 30; second += 5) {
      source.emit('tabcast', '{"type":"heartbeat"}');
      await harness.settle(5000);
    }
    expect(source.closed).toBe(false);
    await harness.settle(10_000);
    expect(source.closed).toBe(true);
    expect(tabcast.status.error?.code).toBe('stalled');
  });

  it('a server that never answers counts as a failed attempt (connect timeout)', async () => {
    const harness = new Harness({}, { timing: { connectTimeoutMs: 5000 } });
    const { tabcast } = harness.open();
    await harness.settle(5000);
    expect(harness.browser.eventSources[0]!.closed).toBe(true);
    expect(tabcast.status.error?.code).toBe('timeout');
  });
});

describe('server_close (docs/wire.md, server_close)', () => {
  it('reconnects after a short jitter when replaced', async () => {
    const harness = new Harness({}, { backoff: { baseMs: 60_000, capMs: 60_000 } });
    await openLeader(harness);
    const source = harness.theSource();
    source.emit('tabcast', '{"type":"server_close","reason":"replaced"}');
    await harness.settle();
    expect(source.closed).toBe(true);
    await harness.settle(1000);
    expect(harness.openSources()).toHaveLength(1);
  });
});

describe('Last-Event-ID (WHATWG HTML, server-sent events: the last event ID string; docs/wire.md)', () => {
  it('a reconnect resumes from the last id: query parameter for EventSource', async () => {
    const harness = new Harness({}, { lastEventIdParam: 'since' });
    await openLeader(harness);
    harness.theSource().emitEnvelope('tick', 'news', 1, 41);
    harness.theSource().emitEnvelope('tick', 'news', 2, 42);
    harness.theSource().drop();
    await harness.settle(2000);
    expect(new URL(harness.theSource().url).searchParams.get('since')).toBe('42');
  });

  it('a reconnect resumes from the last id: Last-Event-ID header for fetch', async () => {
    const harness = new Harness({}, { transport: 'fetch' });
    harness.open();
    await harness.settle();
    const call = harness.browser.fetches.at(-1)!;
    call.respond(200);
    call.emitEnvelope('tick', 'news', 1, 7);
    await harness.settle();
    call.end();
    await harness.settle(2000);
    expect(harness.browser.fetches.at(-1)!.headers['last-event-id']).toBe('7');
  });

  it('drops duplicates (a replay overlapping what was delivered)', async () => {
    const harness = new Harness();
    const { delivered, tabcast } = await openLeader(harness);
    const source = harness.theSource();
    source.emitEnvelope('tick', 'news', 'a', 1);
    source.emitEnvelope('tick', 'news', 'b', 2);
    source.emitEnvelope('tick', 'news', 'a', 1);
    source.drop();
    await harness.settle(2000);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'news', 'b', 2);
    harness.theSource().emitEnvelope('tick', 'news', 'c', 3);
    await harness.settle();
    expect(delivered.map((event) => event.data)).toEqual(['a', 'b', 'c']);
    expect(tabcast.diagnostics().duplicatesDropped).toBe(2);
  });
});
