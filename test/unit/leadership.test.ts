import { describe, expect, it } from 'vitest';
import { presenceLockName } from '../../src/actors/lock.js';
import { createTabcast } from '../../src/index.js';
import { Harness, openLeader, URL as STREAM_URL } from '../support/harness.js';

const LOCK = 'tabcast:app:ada';

describe('Web Locks leadership (docs/architecture.md, Leadership)', () => {
  it('queues one plain lock request per tab: no ifAvailable, no polling', async () => {
    const harness = new Harness();
    harness.open();
    harness.open();
    harness.open();
    await harness.settle(100);
    expect(harness.browser.locks.held(LOCK)).toBe('tab-1');
    expect(harness.browser.locks.queued(LOCK)).toBe(2);
    // Followers in locks mode run no timers at all while idle.
    expect(harness.tabs[1]!.tab.clock.pendingTimers()).toBe(0);
  });

  it('the next tab takes over when the leader closes, and resumes from the last id', async () => {
    const harness = new Harness();
    const [first, second] = [harness.open(), harness.open()];
    await harness.settle(100);
    harness.theSource().open();
    await harness.settle();
    harness.theSource().emitEnvelope('tick', 'news', 1, 1);
    await harness.settle();
    await first.tab.close();
    await harness.settle(100);
    expect(second.tabcast.status.role).toBe('leader');
    const source = harness.theSource();
    expect(source.tabId).toBe('tab-2');
    expect(new URL(source.url).searchParams.get('lastEventId')).toBe('1');
    expect(harness.browser.locks.held(LOCK)).toBe('tab-2');
  });

  it('the next tab takes over when the leader crashes (no pagehide, no cleanup)', async () => {
    const harness = new Harness();
    const [first, second] = [harness.open(), harness.open()];
    await harness.settle(100);
    first.tab.crash();
    await harness.settle(100);
    expect(second.tabcast.status.role).toBe('leader');
    expect(harness.openSources().map((source) => source.tabId)).toEqual(['tab-2']);
  });

  it("ignores a dead holder's message of the same term still in flight (found by the simulation)", async () => {
    const harness = new Harness();
    const leader = harness.open();
    await harness.settle(10);
    const source = harness.theSource();
    source.open();
    source.emitEnvelope('tick', 'news', 'live', 2);
    await harness.settle();
    // tab-0 led before with the same term number (this tab never heard it) and relayed #1.
    harness.postAsPeer('tab-0', {
      type: 'events',
      stream: STREAM_URL,
      epoch: leader.tabcast.status.epoch,
      events: [{ id: '1', event: 'tick', data: '{"topic":"news","data":"late"}' }],
    });
    await harness.settle();
    expect(leader.tabcast.status.role).toBe('leader');
    expect(source.closed).toBe(false);
    expect(leader.delivered.map((event) => event.data)).toEqual(['live']);
  });

  it('yields to a newer term (a holder that took the lock after this one)', async () => {
    const harness = new Harness();
    const leader = harness.open();
    await harness.settle(10);
    const source = harness.theSource();
    const newer = leader.tabcast.status.epoch + 1;
    harness.postAsPeer('tab-9', { type: 'heartbeat', epoch: newer });
    await harness.settle();
    // It stepped down (its stream closed) and queued again; alone in the queue, it leads again
    // with a term newer than the one it yielded to.
    expect(source.closed).toBe(true);
    expect(harness.browser.eventSources).toHaveLength(2);
    expect(leader.tabcast.status.epoch).toBeGreaterThan(newer);
  });

  it('releases the lock on pagehide and queues again on pageshow', async () => {
    const harness = new Harness();
    const [first, second] = [harness.open(), harness.open()];
    await harness.settle(100);
    first.tab.pagehide();
    await harness.settle(10);
    expect(harness.browser.locks.held(LOCK)).toBe('tab-2');
    expect(second.tabcast.status.role).toBe('leader');
    expect(harness.openSources().map((source) => source.tabId)).toEqual(['tab-2']);
    first.tab.pageshow();
    await harness.settle(10);
    expect(harness.browser.locks.queued(LOCK)).toBe(1);
    expect(first.tabcast.status.role).toBe('follower');
  });

  it('a tab back from the back/forward cache follows a leader that began a lower term meanwhile', async () => {
    const harness = new Harness();
    const [first, second, away] = [harness.open(), harness.open(), harness.open()];
    await harness.settle(100);
    await first.tab.close();
    await harness.settle(100);
    expect(away.tabcast.status.epoch).toBe(2);
    away.tab.pagehide();
    await second.tab.close();
    await harness.settle(100);
    // Nobody who knew term 2 is left: the new tab begins term 1.
    const newcomer = harness.open();
    await harness.settle(100);
    expect(newcomer.tabcast.status).toMatchObject({ role: 'leader' });
    harness.theSource().open();
    await harness.settle();
    away.tab.pageshow();
    await harness.settle(100);
    harness.theSource().emitEnvelope('tick', 'news', 1, 1);
    await harness.settle();
    expect(away.delivered.map((event) => event.id)).toEqual(['1']);
    expect(away.tabcast.status).toMatchObject({ role: 'follower', phase: 'open' });
  });
});

describe('fallback leadership without Web Locks (docs/architecture.md, Leadership: fallback)', () => {
  it('elects exactly one leader among tabs opened at once', async () => {
    const harness = new Harness({ locks: false });
    for (let index = 0; index < 6; index++) harness.open();
    await harness.settle(2000);
    expect(harness.leaders()).toHaveLength(1);
    expect(harness.openSources()).toHaveLength(1);
    expect(harness.tabs.every((entry) => entry.tabcast.status.mode === 'fallback')).toBe(true);
  });

  it('a follower takes over when the leader crashes, by the wall-clock watchdog', async () => {
    const harness = new Harness({ locks: false });
    const [first, second, third] = [harness.open(), harness.open(), harness.open()];
    await harness.settle(2000);
    const leader = harness.leaders()[0]!;
    const epoch = leader.tabcast.status.epoch;
    leader.tab.crash();
    await harness.settle(6000);
    const [next] = harness.leaders();
    expect(next).toBeDefined();
    expect(harness.leaders()).toHaveLength(1);
    expect(next!.tabcast.status.epoch).toBeGreaterThan(epoch);
    expect(harness.openSources()).toHaveLength(1);
    expect([first, second, third].filter((entry) => entry.tab.alive)).toHaveLength(2);
  });

  it('a closing leader says bye and a follower leads at once, not after the watchdog', async () => {
    const harness = new Harness({ locks: false });
    harness.open();
    harness.open();
    await harness.settle(2000);
    const leader = harness.leaders()[0]!;
    await leader.tab.close();
    await harness.settle(400);
    expect(harness.leaders()).toHaveLength(1);
    expect(harness.leaders()[0]).not.toBe(leader);
  });

  it('when two leaders meet, the loser steps down and closes its stream', async () => {
    const harness = new Harness({ locks: false });
    const first = harness.open();
    await harness.settle(500);
    expect(first.tabcast.status.role).toBe('leader');
    const firstSource = harness.theSource();
    // Another leader of the same term with a smaller id (it wins the tie-break) speaks up.
    harness.postAsPeer('tab-0', { type: 'heartbeat', epoch: first.tabcast.status.epoch });
    await harness.settle(10);
    expect(first.tabcast.status.role).toBe('follower');
    expect(firstSource.closed).toBe(true);
    expect(harness.openSources()).toHaveLength(0);
    // The winner then goes silent: the watchdog elects this tab again, with a newer term.
    await harness.settle(6000);
    expect(first.tabcast.status.role).toBe('leader');
    expect(first.tabcast.status.epoch).toBeGreaterThan(1);
    expect(harness.openSources()).toHaveLength(1);
  });

  it('a leader that hears a lower-ranked leader asserts itself and keeps its stream', async () => {
    const harness = new Harness({ locks: false });
    const first = harness.open();
    await harness.settle(500);
    const source = harness.theSource();
    harness.postAsPeer('tab-9', { type: 'heartbeat', epoch: first.tabcast.status.epoch });
    await harness.settle(10);
    expect(first.tabcast.status.role).toBe('leader');
    expect(source.closed).toBe(false);
    const heartbeats = harness.browser
      .channelLog('tabcast:app:ada')
      .filter(
        (entry) =>
          entry.from === first.tab.id && (entry.data as { type: string }).type === 'heartbeat',
      );
    expect(heartbeats.at(-1)!.at).toBe(harness.clock.now() - 10);
  });

  it("a candidate ignores an older term's claim, however small the claimant's id", async () => {
    const harness = new Harness({ locks: false });
    const candidate = harness.open();
    // tab-9 leads term 5, then goes silent: the watchdog makes this tab claim term 6.
    harness.postAsPeer('tab-9', { type: 'heartbeat', epoch: 5 });
    const claimed = () =>
      harness.browser
        .channelLog(LOCK)
        .some(
          (entry) =>
            entry.from === candidate.tab.id &&
            (entry.data as { type: string; epoch?: number }).epoch === 6,
        );
    while (!claimed()) await harness.settle(100);
    // tab-0, which knew only term 4, claims term 5 as this tab campaigns: its claim is no better.
    harness.postAsPeer('tab-0', { type: 'claim', epoch: 5 });
    await harness.settle(300);
    expect(candidate.tabcast.status).toMatchObject({ role: 'leader', epoch: 6 });
  });

  it('a visible follower wakes a leader at each deadline it reported, earliest first', async () => {
    const harness = new Harness({ locks: false });
    const follower = harness.open();
    harness.postAsPeer('tab-0', { type: 'heartbeat', epoch: 1 });
    await harness.settle();
    const start = harness.clock.now();
    // The leader (tab-0, hidden) has two streams, each with a timer due: one on the follower's
    // second watchdog tick, one between its fifth and sixth.
    for (const [stream, due] of [
      ['https://app.test/a', 2000],
      ['https://app.test/b', 5500],
    ] as const) {
      harness.postAsPeer('tab-0', {
        type: 'state',
        stream,
        epoch: 1,
        topics: ['news'],
        wakeAt: start + due,
        status: { phase: 'connecting', attempt: 0, retryAt: null, error: null },
      });
    }
    for (let second = 0; second < 7; second++) {
      await harness.settle(500);
      harness.postAsPeer('tab-0', { type: 'heartbeat', epoch: 1 });
      await harness.settle(500);
    }
    const wakes = harness.browser
      .channelLog(LOCK)
      .filter(
        (entry) =>
          entry.from === follower.tab.id && (entry.data as { type: string }).type === 'wake',
      );
    expect(wakes.map((entry) => entry.at - start)).toEqual([2000, 6000]);
  });

  it('a tab opened just after the leader crashed claims the term after the one its peers know', async () => {
    const harness = new Harness({ locks: false });
    harness.open();
    harness.open();
    harness.open();
    await harness.settle(2000);
    harness.leaders()[0]!.tab.crash();
    await harness.settle(6000);
    const [second] = harness.leaders();
    const term = second!.tabcast.status.epoch;
    expect(term).toBeGreaterThan(1);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'news', 1, 1);
    await harness.settle();
    second!.tab.crash();
    // Before the followers' watchdog fires: only they know the term, and nobody leads it.
    const newcomer = harness.open();
    await harness.settle(500);
    expect(harness.leaders()).toEqual([newcomer]);
    expect(newcomer.tabcast.status.epoch).toBeGreaterThan(term);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'news', 2, 2);
    await harness.settle(6000);
    expect(harness.leaders()).toEqual([newcomer]);
    const [follower] = harness.tabs.filter((entry) => entry.tab.alive && entry !== newcomer);
    expect(follower!.delivered.map((event) => event.id)).toEqual(['1', '2']);
  });

  it('a leader that hears of a newer term than its own campaigns past it, and resumes its stream', async () => {
    const harness = new Harness({ locks: false });
    const leader = harness.open();
    await harness.settle(500);
    const first = harness.theSource();
    first.open();
    first.emitEnvelope('tick', 'news', 1, 7);
    await harness.settle();
    // A peer's answer to the hello came after the election window: the peer knows term 5.
    harness.postAsPeer('tab-9', { type: 'topics', topics: [], events: [], knownEpoch: 5 });
    await harness.settle(10);
    expect(first.closed).toBe(true);
    expect(leader.tabcast.status.role).toBe('follower');
    await harness.settle(500);
    expect(leader.tabcast.status).toMatchObject({ role: 'leader', epoch: 6 });
    expect(new URL(harness.theSource().url).searchParams.get('lastEventId')).toBe('7');
  });

  it('a follower resyncs a stream that resumed from another id than the last it delivered', async () => {
    const harness = new Harness({ locks: false });
    harness.open();
    await harness.settle(500);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'news', 1, 7);
    const follower = harness.open();
    await harness.settle(500);
    harness.theSource().emitEnvelope('tick', 'news', 2, 8);
    await harness.settle();
    expect(follower.delivered.map((event) => event.id)).toEqual(['8']);
    const resyncs = follower.resyncs.length;
    const opened = {
      type: 'opened',
      stream: STREAM_URL,
      epoch: 9,
      status: { phase: 'open', attempt: 0, retryAt: null, error: null },
      topics: ['news'],
      gaps: [],
    };
    harness.postAsPeer('tab-0', { ...opened, resumedFrom: '8' });
    await harness.settle();
    expect(follower.resyncs).toHaveLength(resyncs);
    harness.postAsPeer('tab-0', { ...opened, resumedFrom: '5' });
    await harness.settle();
    expect(follower.resyncs).toHaveLength(resyncs + 1);
  });

  it('a follower back from the back/forward cache says its topics again', async () => {
    const harness = new Harness({ locks: false });
    harness.open({ topics: ['news'] });
    await harness.settle(500);
    const follower = harness.open({ topics: ['chat'] });
    await harness.settle(500);
    const topics = () => new URL(harness.theSource().url).searchParams.get('topics');
    expect(topics()).toBe('chat,news');
    follower.tab.pagehide();
    await harness.settle(500);
    expect(topics()).toBe('news');
    follower.tab.pageshow();
    await harness.settle(500);
    expect(topics()).toBe('chat,news');
    expect(harness.leaders()).toHaveLength(1);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'chat', 'hi', 1);
    await harness.settle();
    expect(follower.delivered.map((event) => event.data)).toEqual(['hi']);
  });

  it("a follower's bye is no election: only the leader's is", async () => {
    const harness = new Harness({ locks: false });
    harness.open();
    await harness.settle(500);
    const [stays, leaves] = [harness.open(), harness.open()];
    await harness.settle(2000);
    expect(harness.leaders()).toEqual([harness.tabs[0]]);
    const claims = () =>
      harness.browser
        .channelLog(LOCK)
        .filter(
          (entry) =>
            entry.from === stays.tab.id && (entry.data as { type: string }).type === 'claim',
        ).length;
    const before = claims();
    await leaves.tab.close();
    await harness.settle(500);
    expect(claims()).toBe(before);
    await harness.tabs[0]!.tab.close();
    await harness.settle(500);
    expect(claims()).toBe(before + 1);
    expect(harness.leaders()).toEqual([stays]);
  });

  it("the leader's roll call forgets a follower that crashed, and only it", async () => {
    const harness = new Harness({ locks: false });
    harness.open({ topics: ['news'] });
    await harness.settle(500);
    const alive = harness.open({ topics: ['chat'] });
    const crashed = harness.open({ topics: ['sport'] });
    await harness.settle(1000);
    const topics = () => new URL(harness.theSource().url).searchParams.get('topics');
    expect(topics()).toBe('chat,news,sport');
    crashed.tab.crash();
    // A roll call every ten heartbeats: the crashed tab misses one, and the next forgets it.
    await harness.settle(25_000);
    expect(topics()).toBe('chat,news');
    const gone = harness.browser
      .channelLog(LOCK)
      .filter((entry) => (entry.data as { type: string }).type === 'gone')
      .map((entry) => (entry.data as { tabId: string }).tabId);
    expect(new Set(gone)).toEqual(new Set([crashed.tab.id]));
    expect(alive.tab.alive).toBe(true);
  });

  it("the roll call forgets a crashed follower's topics with no tab left to answer it", async () => {
    const harness = new Harness({ locks: false });
    harness.open({ topics: ['news'] });
    await harness.settle(500);
    const crashed = harness.open({ topics: ['sport'] });
    await harness.settle(1000);
    const topics = () => new URL(harness.theSource().url).searchParams.get('topics');
    expect(topics()).toBe('news,sport');
    crashed.tab.crash();
    await harness.settle(25_000);
    expect(topics()).toBe('news');
  });

  it("every follower hears the roll call's word that a tab is gone: the next leader asks for its topics no more", async () => {
    const harness = new Harness({ locks: false });
    const leader = harness.open({ topics: ['news'] });
    await harness.settle(500);
    const next = harness.open({ topics: ['chat'] });
    const crashed = harness.open({ topics: ['sport'] });
    await harness.settle(1000);
    crashed.tab.crash();
    await harness.settle(25_000);
    leader.tab.crash();
    await harness.settle(6000);
    expect(next.tabcast.status.role).toBe('leader');
    const [first] = harness.browser.eventSources.filter((source) => source.tabId === next.tab.id);
    expect(new URL(first!.url).searchParams.get('topics')).not.toContain('sport');
  });

  it("a candidate that hears the leader's events delivers them as it yields", async () => {
    const harness = new Harness({ locks: false });
    const candidate = harness.open();
    harness.postAsPeer('tab-0', {
      type: 'events',
      stream: STREAM_URL,
      epoch: 1,
      events: [{ id: '1', event: 'tick', data: '{"topic":"news","data":"first"}' }],
    });
    await harness.settle(10);
    expect(candidate.tabcast.status.role).toBe('follower');
    expect(candidate.delivered.map((event) => event.data)).toEqual(['first']);
  });

  it('a candidate that yields to a better claim waits the leader timeout before it campaigns again', async () => {
    const harness = new Harness({ locks: false });
    const candidate = harness.open();
    harness.postAsPeer('tab-0', { type: 'claim', epoch: 1 });
    await harness.settle();
    const yielded = harness.clock.now();
    // tab-0 never leads: this tab claims again once it has heard nothing for leaderTimeoutMs.
    await harness.settle(5000);
    const claims = harness.browser
      .channelLog(LOCK)
      .filter(
        (entry) =>
          entry.from === candidate.tab.id && (entry.data as { type: string }).type === 'claim',
      )
      .map((entry) => entry.at - yielded);
    expect(claims).toHaveLength(2);
    expect(claims[1]).toBeGreaterThan(3500);
  });

  it("a closing leader's topics are not asked for by the follower that leads next", async () => {
    const harness = new Harness({ locks: false });
    const leader = harness.open({ topics: ['news'] });
    await harness.settle(500);
    const next = harness.open({ topics: ['chat'] });
    await harness.settle(1000);
    await leader.tab.close();
    await harness.settle(400);
    expect(next.tabcast.status.role).toBe('leader');
    const [first] = harness.browser.eventSources.filter((source) => source.tabId === next.tab.id);
    expect(new URL(first!.url).searchParams.get('topics')).toBe('chat');
  });

  it('resolves a real split brain deterministically by (epoch, tabId)', async () => {
    const harness = new Harness({ locks: false });
    const a = harness.open();
    const b = harness.open();
    // Both campaign before hearing each other: both claims cross in flight.
    await harness.settle(2000);
    expect(harness.leaders()).toHaveLength(1);
    const winner = harness.leaders()[0]!;
    expect(winner).toBe(a.tab.id < b.tab.id ? a : b);
  });
});

describe('solo mode without BroadcastChannel (docs/architecture.md, Leadership: solo)', () => {
  it('each tab streams for itself and says so', async () => {
    const harness = new Harness({ broadcastChannel: false });
    const tabs = [harness.open(), harness.open()];
    await harness.settle(100);
    expect(harness.openSources()).toHaveLength(2);
    for (const { tabcast } of tabs) {
      expect(tabcast.status.mode).toBe('solo');
      expect(tabcast.status.role).toBe('leader');
    }
  });

  it('a topic subscribed later reconnects with it', async () => {
    const harness = new Harness({ broadcastChannel: false });
    const { tabcast } = await openLeader(harness);
    tabcast.subscribe('chat', { tick: () => {} });
    await harness.settle(100);
    expect(new URL(harness.theSource().url).searchParams.get('topics')).toBe('chat,news');
  });

  it('retry() and coming back online skip the backoff', async () => {
    const harness = new Harness(
      { broadcastChannel: false },
      { backoff: { strategy: 'none', baseMs: 60_000 } },
    );
    const { tabcast, tab } = await openLeader(harness);
    harness.theSource().drop();
    await harness.settle();
    expect(harness.openSources()).toHaveLength(0);
    tabcast.retry();
    await harness.settle();
    expect(harness.openSources()).toHaveLength(1);
    harness.theSource().drop();
    tab.setOnline(false);
    await harness.settle();
    tab.setOnline(true);
    await harness.settle();
    expect(harness.openSources()).toHaveLength(1);
  });

  it('a 401 refreshes the credentials and reconnects', async () => {
    const harness = new Harness(
      { broadcastChannel: false },
      { transport: 'fetch', refreshCredentials: async () => true },
    );
    harness.open();
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(401);
    await harness.settle();
    expect(harness.browser.fetches).toHaveLength(2);
  });
});

describe('Web Locks that refuse', () => {
  it('a tab whose lock request fails falls back to the BroadcastChannel election and leads', async () => {
    const harness = new Harness();
    const tab = harness.browser.openTab();
    const refusing = {
      request: () => Promise.reject(new DOMException('denied', 'SecurityError')),
    };
    const tabcast = createTabcast({
      url: STREAM_URL,
      appKey: 'app',
      tabId: tab.id,
      platform: { ...tab.platform, locks: refusing },
    });
    tabcast.subscribe('news', { tick: () => {} });
    tabcast.login({ userId: 'ada' });
    await harness.settle(1_000);
    expect(tabcast.status).toMatchObject({ mode: 'fallback', role: 'leader' });
    expect(harness.openSources()).toHaveLength(1);
    tabcast.dispose();
  });
});

describe("the leader's watch over the other tabs", () => {
  it('queues one request per peer presence, and leaves none queued when it leaves', async () => {
    const harness = new Harness();
    const leader = harness.open();
    harness.open();
    await harness.settle(100);
    const presenceOfFollower = presenceLockName(LOCK, 'tab-2');
    expect(harness.browser.locks.held(presenceOfFollower)).toBe('tab-2');
    expect(harness.browser.locks.queued(presenceOfFollower)).toBe(1);
    leader.tabcast.dispose();
    await harness.settle(100);
    expect(harness.tabs[1]!.tabcast.status.role).toBe('leader');
    expect(harness.browser.locks.queued(presenceOfFollower)).toBe(0);
  });
});
