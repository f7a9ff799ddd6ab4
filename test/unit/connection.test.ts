import { describe, expect, it } from 'vitest';
import { createTabcast, type TabcastOptions } from '../../src/index.js';
import { EVENT_SOURCE_RECONNECT_MS } from '../fakes/index.js';
import { Harness, openLeader, URL as STREAM_URL } from '../support/harness.js';

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
    await harness.settle();
    // Open again: no retry is planned, whatever the last one was.
    expect(tabcast.status.retryAt).toBeNull();
    await harness.settle(5000);
    expect(tabcast.status.attempt).toBe(0);
    expect(tabcast.status.phase).toBe('open');
  });

  /** The delays before each retry of a tab whose every attempt fails, as its status says. */
  async function retryDelays(harness: Harness, tabcast: { status: { retryAt: number | null } }) {
    const delays: number[] = [];
    await harness.settle(10);
    for (let attempt = 1; attempt <= 3; attempt++) {
      harness.theSource().drop();
      await harness.settle();
      const delay = tabcast.status.retryAt! - harness.clock.now();
      delays.push(delay);
      await harness.settle(delay);
    }
    return delays;
  }

  it("doubles the delay at each failure ('none': base × 2^attempt, no jitter)", async () => {
    const harness = new Harness({}, { backoff: { strategy: 'none', baseMs: 1000, capMs: 30_000 } });
    const { tabcast } = harness.open();
    expect(await retryDelays(harness, tabcast)).toEqual([1000, 2000, 4000]);
  });

  it("grows each delay from the one before ('decorrelated': between base and 3 × previous)", async () => {
    const harness = new Harness();
    const tab = harness.browser.openTab();
    const tabcast = createTabcast({
      url: STREAM_URL,
      appKey: 'app',
      tabId: tab.id,
      // The middle of each range: base + (3 × previous - base) / 2, the first from the base.
      platform: { ...tab.platform, random: () => 0.5 },
      backoff: { strategy: 'decorrelated', baseMs: 1000, capMs: 60_000 },
    });
    tabcast.subscribe('news', { tick: () => {} });
    tabcast.login({ userId: 'ada' });
    expect(await retryDelays(harness, tabcast)).toEqual([2000, 3500, 5750]);
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

describe('what the server answers (docs/api.md, Status: error)', () => {
  const answer = async (
    status: number,
    options: Partial<TabcastOptions> = {},
    headers?: Record<string, string>,
  ) => {
    const harness = new Harness({}, { transport: 'fetch', ...options });
    const { tabcast } = harness.open();
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(status, headers);
    await harness.settle();
    return { phase: tabcast.status.phase, error: tabcast.status.error };
  };

  it('a 5xx, 500 among them, is tried again', async () => {
    for (const status of [500, 503]) {
      expect(await answer(status)).toEqual({
        phase: 'reconnecting',
        error: { code: 'http', status },
      });
    }
  });

  it('a 200 that is no event stream is a refusal: failed, not_event_stream', async () => {
    expect(await answer(200, {}, { 'content-type': 'text/html' })).toEqual({
      phase: 'failed',
      error: { code: 'not_event_stream', status: 200 },
    });
  });

  it("a 400 is the companion's word on the topics; on the plain wire, a plain refusal", async () => {
    expect(await answer(400)).toEqual({
      phase: 'failed',
      error: { code: 'invalid_topics', status: 400 },
    });
    expect(await answer(400, { url: 'https://app.test/sse/', wire: 'plain' })).toEqual({
      phase: 'failed',
      error: { code: 'http', status: 400 },
    });
  });
});

describe('the stream URL (docs/api.md, url)', () => {
  it('a relative endpoint stays relative to the page, a colon in its query or not', async () => {
    const harness = new Harness({}, { url: '/events?since=2026-12-01T12:00' });
    await openLeader(harness);
    expect(harness.theSource().url).toBe(
      '/events?since=2026-12-01T12:00&topics=news&clientId=tab-1',
    );
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

describe('server_close, woken early (docs/wire.md, server_close)', () => {
  it("a follower's wake before the jittered reconnect is due does not hurry it", async () => {
    const harness = new Harness();
    await openLeader(harness);
    const source = harness.theSource();
    source.emit('tabcast', '{"type":"server_close","reason":"replaced"}');
    await harness.settle();
    expect(source.closed).toBe(true);
    harness.postAsPeer('tab-9', { type: 'wake' });
    await harness.settle();
    expect(harness.openSources()).toHaveLength(0);
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

  it('the first attempt has nothing to resume from: no parameter', async () => {
    const harness = new Harness({}, { lastEventIdParam: 'since' });
    await openLeader(harness);
    expect(new URL(harness.theSource().url).searchParams.has('since')).toBe(false);
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
    // The header says it: the query names no resume point as well.
    expect(new URL(harness.browser.fetches.at(-1)!.url).searchParams.has('lastEventId')).toBe(
      false,
    );
  });

  it('a stream that could not resume starts a new sequence: its ids are no duplicates', async () => {
    const harness = new Harness({}, { lastEventIdParam: null });
    const { delivered } = await openLeader(harness);
    harness.theSource().emitEnvelope('tick', 'news', 'first', 1);
    harness.theSource().drop();
    await harness.settle(2000);
    expect(new URL(harness.theSource().url).searchParams.has('lastEventId')).toBe(false);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'news', 'first', 1);
    await harness.settle();
    expect(delivered.map((event) => event.data)).toEqual(['first', 'first']);
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

describe('what the connection keeps while it cannot stream (docs/api.md, Status)', () => {
  it('a topic subscribed during the backoff is in the next attempt', async () => {
    const harness = new Harness({}, { backoff: { strategy: 'none', baseMs: 1000 } });
    const { tabcast } = await openLeader(harness);
    harness.theSource().drop();
    await harness.settle();
    expect(tabcast.status.phase).toBe('reconnecting');
    tabcast.subscribe('chat', { tick: () => {} });
    await harness.settle(1000);
    expect(new URL(harness.theSource().url).searchParams.get('topics')).toBe('chat,news');
  });

  it('failed or closed, a stream no tab wants any more goes idle; wanted again, it connects', async () => {
    for (const end of ['failed', 'closed'] as const) {
      const harness = new Harness({}, { backoff: { strategy: 'none', maxAttempts: 1 } });
      const { tabcast, unsubscribe } = await openLeader(harness);
      harness.theSource().fail();
      await harness.settle();
      harness.browser.fetches.at(-1)!.respond(end === 'failed' ? 503 : 204);
      await harness.settle();
      expect(tabcast.status.phase).toBe(end);
      unsubscribe[0]!();
      await harness.settle(100);
      expect(tabcast.status.streams[STREAM_URL]!.phase).toBe('idle');
      tabcast.subscribe('news', { tick: () => {} });
      await harness.settle(100);
      expect(harness.openSources()).toHaveLength(1);
    }
  });

  it('failed: a new topic waits for retry(), which carries it and starts counting again', async () => {
    const harness = new Harness({}, { backoff: { strategy: 'none', maxAttempts: 2, baseMs: 10 } });
    const { tabcast } = await openLeader(harness);
    harness.theSource().drop();
    await harness.settle(10);
    harness.theSource().drop();
    await harness.settle(10);
    expect(tabcast.status).toMatchObject({ phase: 'failed', attempt: 2 });
    const created = harness.browser.eventSources.length;
    tabcast.subscribe('chat', { tick: () => {} });
    await harness.settle(1000);
    expect(harness.browser.eventSources).toHaveLength(created);
    tabcast.retry();
    await harness.settle();
    expect(tabcast.status).toMatchObject({ phase: 'reconnecting', attempt: 0 });
    expect(new URL(harness.theSource().url).searchParams.get('topics')).toBe('chat,news');
    harness.theSource().drop();
    await harness.settle();
    expect(tabcast.status).toMatchObject({ phase: 'reconnecting', attempt: 1 });
  });

  it('refused topics, changed, are tried again from the first attempt', async () => {
    const harness = new Harness(
      {},
      { transport: 'fetch', backoff: { strategy: 'none', maxAttempts: 2, baseMs: 10 } },
    );
    const { tabcast } = harness.open();
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(400);
    await harness.settle();
    expect(tabcast.status).toMatchObject({ phase: 'failed', attempt: 1 });
    tabcast.subscribe('chat', { tick: () => {} });
    await harness.settle(100);
    expect(tabcast.status).toMatchObject({ phase: 'connecting', attempt: 0 });
    harness.browser.fetches.at(-1)!.fail();
    await harness.settle();
    expect(tabcast.status).toMatchObject({ phase: 'reconnecting', attempt: 1 });
  });

  it('each connect timeout is a failed attempt, up to maxAttempts', async () => {
    const harness = new Harness(
      {},
      {
        timing: { connectTimeoutMs: 1000 },
        backoff: { strategy: 'none', maxAttempts: 2, baseMs: 10 },
      },
    );
    const { tabcast } = harness.open();
    await harness.settle(1000);
    expect(tabcast.status).toMatchObject({ phase: 'reconnecting', attempt: 1 });
    await harness.settle(1100);
    expect(tabcast.status).toMatchObject({
      phase: 'failed',
      attempt: 2,
      error: { code: 'max_attempts' },
    });
    expect(harness.openSources()).toHaveLength(0);
  });

  it('a stall on the last attempt gives up, counting it', async () => {
    const harness = new Harness(
      {},
      {
        timing: { stallTimeoutMs: 10_000 },
        backoff: { strategy: 'none', maxAttempts: 1, baseMs: 10 },
      },
    );
    const { tabcast } = await openLeader(harness);
    await harness.settle(10_000);
    expect(tabcast.status).toMatchObject({ phase: 'failed', attempt: 1 });
  });

  it('the attempt count is kept until the stream has been open stableAfterMs', async () => {
    const harness = new Harness({}, { backoff: { strategy: 'none', baseMs: 10 } });
    const { tabcast } = await openLeader(harness);
    harness.theSource().drop();
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle(4900);
    expect(tabcast.status).toMatchObject({ phase: 'open', attempt: 1 });
    await harness.settle(100);
    expect(tabcast.status).toMatchObject({ phase: 'open', attempt: 0 });
  });
});

describe('retry() starts counting again (docs/api.md, retry)', () => {
  it('after a 204 (closed)', async () => {
    const harness = new Harness({}, { backoff: { strategy: 'none', baseMs: 10 } });
    const { tabcast } = await openLeader(harness);
    harness.theSource().drop();
    await harness.settle(10);
    harness.theSource().fail();
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(204);
    await harness.settle();
    expect(tabcast.status).toMatchObject({ phase: 'closed', attempt: 1 });
    tabcast.retry();
    await harness.settle();
    expect(tabcast.status).toMatchObject({ phase: 'reconnecting', attempt: 0 });
  });

  it('while credentials are being refreshed after a 401', async () => {
    const harness = new Harness(
      {},
      {
        transport: 'fetch',
        backoff: { strategy: 'none', baseMs: 10 },
        refreshCredentials: () => new Promise<boolean>(() => {}),
      },
    );
    const { tabcast } = harness.open();
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(503);
    await harness.settle(10);
    harness.browser.fetches.at(-1)!.respond(401);
    await harness.settle();
    expect(tabcast.status.attempt).toBe(1);
    tabcast.retry();
    await harness.settle();
    expect(harness.browser.fetches).toHaveLength(3);
    expect(tabcast.status.attempt).toBe(0);
  });
});

describe('signs of life (docs/api.md, timing: stallTimeoutMs)', () => {
  it('every event and every reset counts, not only heartbeats', async () => {
    const harness = new Harness({}, { timing: { stallTimeoutMs: 10_000 } });
    const { tabcast } = await openLeader(harness);
    const source = harness.theSource();
    for (let id = 1; id <= 4; id++) {
      source.emitEnvelope('tick', 'news', id, id);
      await harness.settle(5000);
    }
    for (let id = 5; id <= 8; id++) {
      source.emit('tabcast', '{"type":"reset"}', { id });
      await harness.settle(5000);
    }
    expect(source.closed).toBe(false);
    expect(tabcast.status.phase).toBe('open');
  });
});
