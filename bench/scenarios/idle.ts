/**
 * Scenario 7, idle cost: a leader and a follower tab with the stream open and no events. An init
 * script counts every timer callback that actually runs (setTimeout, setInterval,
 * requestAnimationFrame, requestIdleCallback) — the page's and the library's alike — over a
 * quiet window after the connection became stable. The hub heartbeats at the companion's default.
 */
import { HUB_DEFAULTS } from '../../src/server/index.js';
import {
  openTabs,
  settledLeader,
  startBenchServer,
  type TestChromium,
  timerProbeScript,
} from '../browser.js';
import type { TimerCounts } from '../page-api.js';
import { sleep } from '../wait.js';

const USER = 'ada';

export interface IdleFigure {
  wakeupsPerMin: number;
  /** Timers scheduled per minute, including those cancelled before they ran. */
  armedPerMin: number;
  byKind: Record<string, number>;
}

export interface IdleResult {
  leader: IdleFigure;
  follower: IdleFigure;
  windowMs: number;
  heartbeatMs: number;
}

const perMinute = (counts: TimerCounts, windowMs: number): IdleFigure => ({
  wakeupsPerMin: (counts.fired * 60_000) / windowMs,
  armedPerMin: (counts.armed * 60_000) / windowMs,
  byKind: counts.byKind,
});

export async function runIdle(
  chromium: TestChromium,
  options: { windowMs: number; settleMs: number },
): Promise<IdleResult> {
  const heartbeatMs = HUB_DEFAULTS.heartbeatMs;
  const server = await startBenchServer({ heartbeatMs, retryMs: HUB_DEFAULTS.retryMs });
  const profile = await chromium.newProfile(server);
  try {
    await profile.context.addInitScript({ content: await timerProbeScript() });
    const tabs = await openTabs(profile, 2, { mode: 'tabcast', user: USER });
    for (const tab of tabs) {
      if (
        !(await tab.page.evaluate(
          () => window.benchTimers !== undefined && !/native code/.test(String(setTimeout)),
        ))
      ) {
        throw new Error('the timer probe is not installed in the page');
      }
    }
    const leader = await settledLeader(tabs);
    const follower = tabs.find((tab) => tab !== leader)!;
    // Past `stableAfterMs` (5 s): the one timer of a fresh connection has run.
    await sleep(options.settleMs);
    await Promise.all(tabs.map((tab) => tab.resetTimers()));
    // Nothing may touch the pages during the window: an evaluate could schedule work.
    await sleep(options.windowMs);
    const [leaderCounts, followerCounts] = await Promise.all([leader.timers(), follower.timers()]);
    return {
      leader: perMinute(leaderCounts, options.windowMs),
      follower: perMinute(followerCounts, options.windowMs),
      windowMs: options.windowMs,
      heartbeatMs,
    };
  } finally {
    await profile.close();
    await server.close();
  }
}
