/**
 * Scenario: the hub on Redis against the in-memory hub, in one run. One Chromium tab streams
 * `news`; latency is from the publish call to that tab's subscriber delivering the event (200
 * events, one every 10 ms); throughput is a burst of 2000 published at once, from the first
 * publish call to the tab's last delivery.
 *
 * - `memory`: the in-memory hub, publishing in the server's own process (the baseline).
 * - `redis, 1 process`: one hub process on Redis; the tab streams from it and it publishes.
 * - `redis, 3 processes`: three on one namespace; the tab streams from A, C publishes.
 */

import { Balancer } from '../../test/redis/support/balancer.js';
import { type HubProcess, startHubProcesses } from '../../test/redis/support/processes.js';
import { RedisServer } from '../../test/redis/support/redis-server.js';
import { BenchTab, benchBundle, startBenchServer, type TestChromium, wallNow } from '../browser.js';
import { median, p95 } from '../stats.js';
import { expectWithin, sleep } from '../wait.js';

export type RedisSubject = 'memory' | 'redis, 1 process' | 'redis, 3 processes';

const LATENCY_EVENTS = 200;
const LATENCY_EVERY_MS = 10;
const BURST_EVENTS = 2_000;

export interface RedisRun {
  subject: RedisSubject;
  latenciesMs: number[];
  /** Events per second of the burst, publish call to last delivery. */
  throughput: number;
  missing: number;
}

export interface RedisResult {
  runs: RedisRun[];
  latencyEvents: number;
  burstEvents: number;
}

/** How the scenario publishes: `tick` gives each event's id and publish time. */
interface Publisher {
  tick(count: number, everyMs: number): Promise<{ ids: string[]; at: number[] }>;
  burst(count: number): Promise<number>;
}

async function measure(
  subject: RedisSubject,
  tab: BenchTab,
  publisher: Publisher,
): Promise<RedisRun> {
  await tab.clear();
  const { ids, at } = await publisher.tick(LATENCY_EVENTS, LATENCY_EVERY_MS);
  const delivered = async () => (await tab.record()).deliveredIds.length;
  const all = await expectWithin(
    'the latency events',
    async () => (await delivered()) >= ids.length,
    20_000,
    20,
  ).then(
    () => true,
    () => false,
  );
  const record = await tab.record();
  const deliveredAt = new Map(
    record.deliveredIds.map((id, index) => [id, record.deliveredAt[index]!]),
  );
  const latenciesMs: number[] = [];
  let missing = 0;
  ids.forEach((id, index) => {
    const time = deliveredAt.get(id);
    if (time === undefined) missing += 1;
    else latenciesMs.push(time - at[index]!);
  });
  if (!all) missing = Math.max(missing, 1);

  await tab.clear();
  const startedAt = await publisher.burst(BURST_EVENTS);
  const burstDone = await expectWithin(
    'the burst',
    async () => (await delivered()) >= BURST_EVENTS,
    60_000,
    20,
  ).then(
    () => true,
    () => false,
  );
  const burst = await tab.record();
  if (!burstDone) missing += BURST_EVENTS - burst.deliveredIds.length;
  const last = burst.deliveredAt.at(-1) ?? Number.NaN;
  return { subject, latenciesMs, throughput: BURST_EVENTS / ((last - startedAt) / 1000), missing };
}

async function openTab(chromium: TestChromium, site: { origin: string }) {
  const profile = await chromium.newProfile(site);
  const tab = await BenchTab.open(profile, 'redis bench', { mode: 'tabcast', user: 'ada' });
  if (tab === null) throw new Error('bench: the tab did not load');
  await expectWithin('the tab open', async () => (await tab.phase()) === 'open', 15_000, 20);
  return { tab, close: () => profile.close() };
}

async function runMemory(chromium: TestChromium): Promise<RedisRun> {
  const server = await startBenchServer();
  const { tab, close } = await openTab(chromium, server);
  try {
    return await measure('memory', tab, {
      async tick(count, everyMs) {
        const ids: string[] = [];
        const at: number[] = [];
        for (let n = 0; n < count; n += 1) {
          at.push(wallNow());
          ids.push(server.publish('news', 'tick', { n }));
          await sleep(everyMs);
        }
        return { ids, at };
      },
      async burst(count) {
        const startedAt = wallNow();
        for (let n = 0; n < count; n += 1) server.publish('news', 'tick', { n });
        return startedAt;
      },
    });
  } finally {
    await close();
    await server.close();
  }
}

function processPublisher(process: HubProcess): Publisher {
  return {
    async tick(count, everyMs) {
      const reply = await process.child.ask(
        { type: 'tick', topic: 'news', count, everyMs },
        'ticked',
        count * everyMs + 30_000,
      );
      return { ids: reply.ids, at: reply.at };
    },
    async burst(count) {
      const reply = await process.child.ask(
        { type: 'storm', topic: 'news', count, source: 'bench' },
        'stormed',
        60_000,
      );
      return reply.startedAt;
    },
  };
}

async function runRedis(
  chromium: TestChromium,
  redis: RedisServer,
  subject: RedisSubject,
  count: number,
): Promise<RedisRun> {
  const processes = await startHubProcesses(count, {
    redisUrl: redis.url,
    namespace: `bench-${count}`,
    hub: { replayBufferSize: 1000 },
  });
  const balancer = new Balancer(await benchBundle(), processes[0]!);
  await balancer.listen();
  const { tab, close } = await openTab(chromium, balancer);
  try {
    return await measure(subject, tab, processPublisher(processes.at(-1)!));
  } finally {
    await close();
    await balancer.close();
    await processes.stop();
  }
}

export async function runRedisScenario(
  chromium: TestChromium,
  log: (line: string) => void,
): Promise<RedisResult> {
  const redis = await RedisServer.start();
  const runs: RedisRun[] = [];
  try {
    runs.push(await runMemory(chromium));
    runs.push(await runRedis(chromium, redis, 'redis, 1 process', 1));
    runs.push(await runRedis(chromium, redis, 'redis, 3 processes', 3));
  } finally {
    await redis.stop();
  }
  for (const run of runs) {
    log(
      `redis ${run.subject}: p50 ${median(run.latenciesMs).toFixed(2)} ms, p95 ${p95(run.latenciesMs).toFixed(2)} ms, ` +
        `${Math.round(run.throughput)} events/s, missing ${run.missing}`,
    );
  }
  return { runs, latencyEvents: LATENCY_EVENTS, burstEvents: BURST_EVENTS };
}
