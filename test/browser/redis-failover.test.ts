/**
 * Real tabs, three server processes on one Redis. The tabs' page and stream go through one
 * origin (a proxy in this process, as a load balancer would be) to process A; the events come
 * from process C. Then the balancer sends new streams to process B and the leader tab is
 * closed: the new leader's stream lands on B, resumes from the last id every tab delivered, and
 * every remaining tab has every event exactly once, in order.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HubStats } from '../../src/server/index.js';
import { Balancer } from '../redis/support/balancer.js';
import { type HubProcess, startHubProcesses } from '../redis/support/processes.js';
import { RedisServer } from '../redis/support/redis-server.js';
import { TestChromium } from './support/browser.js';
import { expectNumbersInEveryTab, waitForDeliveries } from './support/suite.js';
import { waitUntil } from './support/wait.js';

async function statsOf(process: HubProcess): Promise<HubStats> {
  return (await process.child.ask({ type: 'stats' }, 'stats')).stats;
}

let redis: RedisServer;
let processes: Awaited<ReturnType<typeof startHubProcesses>>;
let chromium: TestChromium;

beforeAll(async () => {
  redis = await RedisServer.start();
  processes = await startHubProcesses(3, { redisUrl: redis.url, namespace: 'failover' });
  chromium = await TestChromium.launch();
});
afterAll(async () => {
  await chromium?.close();
  await processes?.stop();
  await redis?.stop();
});

describe('failover from a tab streaming on process A to one streaming on process B', () => {
  it('loses nothing and duplicates nothing in any remaining tab', async () => {
    const [a, b, c] = processes;
    const balancer = new Balancer(inject('pageBundle'), a!);
    await balancer.listen();
    const profile = await chromium.newProfile(balancer);
    try {
      const tabs = await profile.openTabs(3, { user: 'ada', topics: ['news'] });
      const leader = await profile.leader();
      await waitUntil(
        'the stream on A',
        () => statsOf(a!),
        (stats) => stats.openStreams === 1,
      );

      const ticking = c!.child.ask(
        { type: 'tick', topic: 'news', count: 80, everyMs: 25 },
        'ticked',
        30_000,
      );
      await waitForDeliveries(tabs, 'news', 20);
      balancer.target = b!;
      const failoverAt = Date.now();
      await leader.close();
      const remaining = tabs.filter((tab) => tab !== leader);

      await waitUntil(
        'the new leader’s stream on B',
        () => statsOf(b!),
        (stats) => stats.openStreams === 1,
      );
      await ticking;
      await expectNumbersInEveryTab(remaining, 'news', 80);
      expect((await statsOf(a!)).openStreams, 'the old stream on A is gone').toBe(0);
      // A joining tab resyncs once (it missed what came before it); the failover adds none.
      for (const tab of remaining) {
        const late = (await tab.resyncs()).filter((resync) => resync.at >= failoverAt);
        expect(late, `${tab.name}: resyncs after the failover`).toEqual([]);
      }
      const resumed = (await profile.leader()).name;
      expect(resumed).not.toBe(leader.name);
    } finally {
      await profile.close();
      await balancer.close();
    }
  });
});
