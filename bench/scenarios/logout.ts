/**
 * Scenario 4, logout propagation: ten tabs signed in; `logout()` in one of them (the leader and
 * each follower in turn); the time until every tab reported `signedOut` and the server held no
 * stream of the user — whichever came last. Then every tab signs in again for the next round.
 */
import {
  type BenchTab,
  openTabs,
  settledLeader,
  startBenchServer,
  type TestChromium,
  wallNow,
} from '../browser.js';
import { expectWithin } from '../wait.js';

const TABS = 10;
const USER = 'ada';

export interface LogoutResult {
  /** Per repetition: `logout()` → every tab signed out and 0 streams on the server. */
  totalsMs: number[];
  /** Per repetition: `logout()` → the last tab reporting `signedOut`. */
  tabsMs: number[];
  /** Per repetition: `logout()` → the server seeing 0 streams. */
  serverMs: number[];
  /** Repetitions where the leader called `logout()`. */
  fromLeader: number;
  failed: number;
}

function firstSignedOutAfter(
  statuses: { phase: string; at: number }[],
  after: number,
): number | undefined {
  return statuses.find((status) => status.phase === 'signedOut' && status.at >= after)?.at;
}

export async function runLogout(
  chromium: TestChromium,
  repetitions: number,
  log: (line: string) => void,
): Promise<LogoutResult> {
  const server = await startBenchServer();
  const profile = await chromium.newProfile(server);
  const result: LogoutResult = { totalsMs: [], tabsMs: [], serverMs: [], fromLeader: 0, failed: 0 };
  try {
    const tabs: BenchTab[] = await openTabs(profile, TABS, { mode: 'tabcast', user: USER });
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const leader = await settledLeader(tabs);
      await expectWithin('one stream', () => server.hub.stats().openStreams === 1, 10_000);
      await Promise.all(tabs.map((tab) => tab.clear()));
      const caller = tabs[repetition % TABS]!;
      if (caller === leader) result.fromLeader += 1;

      // The server side is watched from here, the Node process: poll its stats every 1 ms.
      let serverZeroAt: number | undefined;
      const watch = setInterval(() => {
        if (serverZeroAt === undefined && server.hub.stats().openStreams === 0) {
          serverZeroAt = wallNow();
        }
      }, 1);
      try {
        const calledAt = await caller.logout();
        let tabsAt: number | undefined;
        await expectWithin(
          'every tab signed out and no stream left',
          async () => {
            const records = await Promise.all(tabs.map((tab) => tab.record()));
            const times = records.map((record) => firstSignedOutAfter(record.statuses, calledAt));
            if (times.some((time) => time === undefined)) return false;
            tabsAt = Math.max(...(times as number[]));
            return serverZeroAt !== undefined;
          },
          10_000,
          5,
        );
        const tabsMs = tabsAt! - calledAt;
        const serverMs = serverZeroAt! - calledAt;
        result.tabsMs.push(tabsMs);
        result.serverMs.push(serverMs);
        result.totalsMs.push(Math.max(tabsMs, serverMs));
      } catch (error) {
        result.failed += 1;
        log(`logout #${repetition + 1}: ${(error as Error).message}`);
      } finally {
        clearInterval(watch);
      }
      for (const tab of tabs) await tab.login(USER);
    }
    return result;
  } finally {
    await profile.close();
    await server.close();
  }
}
