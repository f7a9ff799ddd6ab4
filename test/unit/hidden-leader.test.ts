/**
 * A hidden leader keeps its times (issue 12). With Web Locks the leader is whichever tab asked
 * first, often one in the background, and a hidden tab's own timers fall to once a minute: when
 * the server hangs, the connect timeouts and backoffs are a chain of those timers, and reconnects
 * went out 12 to 54 s late. The leader now tells the scope when its next timer is due while it is
 * hidden, and a visible follower wakes it then (its timers run on time). The fake browser's hidden
 * tabs throttle as Chromium's do (`TabClock.setHidden`).
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';

const TIMING = { connectTimeoutMs: 3_000, stableAfterMs: 1_000 };

/**
 * Hides the leader, then makes the server hang for `hangMs`: every connect stays pending until
 * it times out. Returns, for each reconnect the leader planned, how late it went out (ms).
 */
async function lateness(harness: Harness, hangMs: number): Promise<number[]> {
  const leader = harness.tabs[0]!;
  harness.theSource().open();
  await harness.settle();
  leader.tab.setHidden(true);
  const planned: number[] = [];
  leader.tabcast.onStatus((status) => {
    if (status.phase === 'reconnecting' && status.retryAt !== null) planned.push(status.retryAt);
  });
  const connectsAt: number[] = [];
  let seen = harness.browser.eventSources.length;
  harness.theSource().drop();
  for (let elapsed = 0; elapsed < hangMs; elapsed += 100) {
    await harness.settle(100);
    for (; seen < harness.browser.eventSources.length; seen++) connectsAt.push(harness.clock.now());
  }
  return connectsAt.map((at, index) => at - planned[index]!).filter(Number.isFinite);
}

describe('a hidden leader while the server hangs', () => {
  it('reconnects on plan when a visible follower wakes it', async () => {
    const harness = new Harness({}, { timing: TIMING });
    harness.open();
    harness.open();
    await harness.settle(100);
    const late = await lateness(harness, 5 * 60_000);
    expect(late.length).toBeGreaterThan(10);
    expect(Math.max(...late)).toBeLessThanOrEqual(1_000);
  });

  it('reconnects on plan in the BroadcastChannel election too, woken by the watchdog', async () => {
    const harness = new Harness({ locks: false }, { timing: TIMING });
    harness.open();
    await harness.settle(1_000);
    harness.open();
    await harness.settle(1_000);
    const late = await lateness(harness, 5 * 60_000);
    expect(late.length).toBeGreaterThan(10);
    // The watchdog looks at the wall clock once a second: a wake is at most that late.
    expect(Math.max(...late)).toBeLessThanOrEqual(2_000);
  });

  it('falls a minute behind with no visible tab to wake it (what the wake prevents)', async () => {
    const harness = new Harness({}, { timing: TIMING });
    harness.open();
    const follower = harness.open();
    await harness.settle(100);
    follower.tab.setHidden(true);
    const late = await lateness(harness, 5 * 60_000);
    expect(Math.max(...late)).toBeGreaterThan(10_000);
  });

  it('a visible leader needs no wake: its followers set no timer', async () => {
    const harness = new Harness({}, { timing: TIMING });
    harness.open();
    const follower = harness.open();
    await harness.settle(100);
    harness.theSource().open();
    harness.theSource().drop();
    await harness.settle(100);
    expect(follower.tab.clock.pendingTimers()).toBe(0);
  });
});

describe('what a leader tells its followers of its timers', () => {
  const statesOf = (harness: Harness, tabId: string) =>
    harness.browser
      .channelLog('tabcast:app:ada')
      .filter((entry) => entry.from === tabId && (entry.data as { type: string }).type === 'state')
      .map((entry) => entry.data as { wakeAt: number | null; status: { phase: string } });

  it('hidden while connecting, its connect deadline; visible again, no deadline', async () => {
    const harness = new Harness({}, { timing: TIMING });
    const leader = harness.open();
    harness.open();
    await harness.settle(100);
    leader.tab.setHidden(true);
    await harness.settle();
    const hidden = statesOf(harness, leader.tab.id).at(-1)!;
    expect(hidden.status.phase).toBe('connecting');
    expect(hidden.wakeAt).toBeGreaterThan(harness.clock.now());
    leader.tab.setHidden(false);
    await harness.settle();
    expect(statesOf(harness, leader.tab.id).at(-1)!.wakeAt).toBeNull();
  });

  it('a stream it starts while hidden (the plain wire) says its deadline from the first report', async () => {
    const harness = new Harness(
      {},
      { url: 'https://app.test/sse/', wire: 'plain', timing: TIMING },
    );
    const leader = harness.open({ topics: ['a'], events: ['message'] });
    harness.open({ topics: [], events: ['message'] });
    await harness.settle(100);
    leader.tab.setHidden(true);
    await harness.settle();
    leader.tabcast.subscribe('b', { message: () => {} });
    await harness.settle(100);
    const [first] = harness.browser
      .channelLog('tabcast:app:ada')
      .filter(
        (entry) =>
          entry.from === leader.tab.id &&
          (entry.data as { type: string; stream: string }).type === 'state' &&
          (entry.data as { stream: string }).stream === 'https://app.test/sse/b',
      )
      .map((entry) => entry.data as { wakeAt: number | null });
    expect(first!.wakeAt).not.toBeNull();
  });

  it('hidden and open again after a retry, no deadline: the retry is behind it', async () => {
    const harness = new Harness({}, { timing: TIMING });
    const leader = harness.open();
    harness.open();
    await harness.settle(100);
    leader.tab.setHidden(true);
    harness.theSource().open();
    await harness.settle();
    harness.theSource().drop();
    await harness.settle(2_000);
    harness.theSource().open();
    // A hidden tab's own timers run once a minute: the stable open is reported by then.
    await harness.settle(61_000);
    const last = statesOf(harness, leader.tab.id).at(-1)!;
    expect(last).toMatchObject({ status: { phase: 'open' }, wakeAt: null });
  });

  it('woken past its connect deadline, the attempt failed as a timeout, and counts', async () => {
    for (const maxAttempts of [Number.POSITIVE_INFINITY, 2]) {
      const harness = new Harness(
        {},
        {
          timing: { ...TIMING, stallTimeoutMs: 0 },
          backoff: { strategy: 'none', baseMs: 1_000, maxAttempts },
        },
      );
      const leader = harness.open();
      harness.open();
      await harness.settle(100);
      harness.theSource().open();
      leader.tab.setHidden(true);
      // Long enough hidden that its own timers run once a minute: only a wake is on time.
      await harness.settle(6 * 60_000);
      harness.theSource().drop();
      await harness.settle(1_000 + TIMING.connectTimeoutMs + 200);
      expect(leader.tabcast.status).toMatchObject({
        phase: maxAttempts === 2 ? 'failed' : 'reconnecting',
        attempt: 2,
        error: { code: maxAttempts === 2 ? 'max_attempts' : 'timeout' },
      });
    }
  });
});
