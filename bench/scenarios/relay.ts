/**
 * Scenario 3, relay: ten tabs, one stream. Latency is from the leader's EventSource dispatching
 * an event to each of the 9 followers delivering it (events published every 10 ms); throughput
 * is a burst of events published at once, from the leader's first arrival to the moment the last
 * follower delivered the last event.
 *
 * The baseline is raw BroadcastChannel: one tab streams and `postMessage`s each event's id and
 * data as they are; followers `JSON.parse` the data (tabcast's followers decode it too).
 */
import { writeFileSync } from 'node:fs';
import {
  type BenchTab,
  benchBundle,
  openTabs,
  settledLeader,
  startBenchServer,
  type TestChromium,
  type TestServer,
} from '../browser.js';
import type { BenchRecord } from '../page-api.js';
import {
  formatProfile,
  type ProfileSummary,
  recordCpuProfile,
  SourceMap,
  summarizeProfile,
} from '../profile.js';
import { lossAndDuplicates, median, reorderings } from '../stats.js';
import { expectWithin, sleep } from '../wait.js';

export type RelaySubject = 'tabcast' | 'raw';

const TABS = 10;
const USER = 'ada';
const LATENCY_EVENTS = 300;
const LATENCY_EVERY_MS = 10;
const BURST_EVENTS = 2_000;
const BURSTS = 3;
/** About the size of a small domain event. */
const PAYLOAD = { text: 'x'.repeat(120) };

export interface RelayRun {
  subject: RelaySubject;
  /** One sample per (event, follower). */
  latenciesMs: number[];
  /** Events per second delivered to every one of the 9 followers, per burst. */
  throughputs: number[];
  /**
   * Per burst: how long the leader's EventSource took to dispatch the whole burst. Close to the
   * burst's whole duration, it says the leader's main thread, not the channel, set the pace.
   */
  leaderSpansMs: number[];
  /** Events some follower never delivered within the time limit (one per event and follower). */
  missing: number;
  /** Deliveries of an event a follower had delivered already. */
  duplicated: number;
  /** Deliveries after that of an event published later (see `reorderings`). */
  reordered: number;
  /**
   * Per burst: the leader tab's main-thread time (CDP `Performance.getMetrics`: the change of
   * `TaskDuration` over the burst, every task of the renderer's main thread — script, the
   * channel's structured clone, GC, the EventSource's parsing) divided by the burst's events.
   * Thread CPU time (`threadTicks`): time the thread waited for a core is not in it.
   */
  leaderMsPerEvent: number[];
  /** The same for `ScriptDuration` alone (JavaScript, including what it calls natively). */
  leaderScriptMsPerEvent: number[];
  /**
   * `TaskDuration` as wall time (`timeTicks`): on a machine with fewer cores than busy tabs, it
   * includes the time the leader's tasks waited for a core.
   */
  leaderWallMsPerEvent: number[];
}

export interface RelayResult {
  runs: RelayRun[];
  latencyEvents: number;
  burstEvents: number;
  bursts: number;
  /** With `profilePath`: the tabcast leader's CPU profile over one more burst. */
  profile?: ProfileSummary & { path: string };
}

export interface RelayOptions {
  log: (line: string) => void;
  /**
   * Where to write a `.cpuprofile` of the tabcast leader over one burst, recorded after the
   * measured ones (the profiler's own cost stays out of the figures).
   */
  profilePath?: string | undefined;
}

function arrivalTimes(record: BenchRecord): Map<string, number> {
  return new Map(record.arrivedIds.map((id, index) => [id, record.arrivedAt[index]!]));
}

function deliveryTimes(record: BenchRecord): Map<string, number> {
  const times = new Map<string, number>();
  record.deliveredIds.forEach((id, index) => {
    if (id !== null && !times.has(id)) times.set(id, record.deliveredAt[index]!);
  });
  return times;
}

async function waitForAll(followers: BenchTab[], count: number): Promise<boolean> {
  return expectWithin(
    `${count} events in every follower`,
    async () =>
      (await Promise.all(followers.map((tab) => tab.deliveredCount()))).every((n) => n >= count),
    30_000,
    20,
  ).then(
    () => true,
    () => false,
  );
}

async function openRelayTabs(
  chromium: TestChromium,
  server: TestServer,
  subject: RelaySubject,
): Promise<{ leader: BenchTab; followers: BenchTab[]; close: () => Promise<void> }> {
  const profile = await chromium.newProfile(server);
  const close = () => profile.close();
  try {
    if (subject === 'tabcast') {
      const tabs = await openTabs(profile, TABS, { mode: 'tabcast', user: USER });
      const leader = await settledLeader(tabs);
      return { leader, followers: tabs.filter((tab) => tab !== leader), close };
    }
    const [leader] = await openTabs(profile, 1, { mode: 'raw', user: USER, role: 'leader' });
    const followers = await openTabs(profile, TABS - 1, {
      mode: 'raw',
      user: USER,
      role: 'follower',
    });
    await expectWithin('the raw stream open', () => server.hub.stats().openStreams === 1, 10_000);
    return { leader: leader!, followers, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Publishes a burst and waits until every follower delivered it; returns the ids published. */
async function publishBurst(server: TestServer, everyTab: BenchTab[], followers: BenchTab[]) {
  await Promise.all(everyTab.map((tab) => tab.clear()));
  const ids: string[] = [];
  for (let n = 0; n < BURST_EVENTS; n++)
    ids.push(server.publish('news', 'tick', { n, ...PAYLOAD }));
  return { ids, complete: await waitForAll(followers, BURST_EVENTS) };
}

/** Lost (as `missing`), duplicated and reordered deliveries of one follower. */
function tally(run: RelayRun, published: readonly string[], record: BenchRecord): void {
  const delivered = record.deliveredIds.filter((id): id is string => id !== null);
  const { lost, duplicated } = lossAndDuplicates(published, delivered);
  run.missing += lost;
  run.duplicated += duplicated;
  run.reordered += reorderings(published, delivered);
}

/**
 * The leader's cumulative main-thread figures, in ms, through CDP's `Performance` domain: one
 * session counting thread CPU time (`threadTicks`), one wall time (`timeTicks`).
 */
async function leaderMetrics(leader: BenchTab) {
  const open = async (timeDomain: 'threadTicks' | 'timeTicks') => {
    const session = await leader.page.context().newCDPSession(leader.page);
    await session.send('Performance.enable', { timeDomain });
    return session;
  };
  const cpu = await open('threadTicks');
  const wall = await open('timeTicks');
  const read = async (session: typeof cpu) => {
    const { metrics } = await session.send('Performance.getMetrics');
    const value = (name: string) =>
      (metrics.find((metric) => metric.name === name)?.value ?? Number.NaN) * 1000;
    return { taskMs: value('TaskDuration'), scriptMs: value('ScriptDuration') };
  };
  return {
    async read() {
      const [thread, time] = await Promise.all([read(cpu), read(wall)]);
      return { ...thread, wallTaskMs: time.taskMs };
    },
    detach: () => Promise.all([cpu.detach(), wall.detach()]).catch(() => {}),
  };
}

async function runOne(
  chromium: TestChromium,
  subject: RelaySubject,
  options: RelayOptions,
): Promise<{ run: RelayRun; profile?: RelayResult['profile'] }> {
  const profilePath = subject === 'tabcast' ? options.profilePath : undefined;
  const sourcemap = profilePath !== undefined;
  const server = await startBenchServer({}, { sourcemap });
  const { leader, followers, close } = await openRelayTabs(chromium, server, subject);
  const run: RelayRun = {
    subject,
    latenciesMs: [],
    throughputs: [],
    leaderSpansMs: [],
    missing: 0,
    duplicated: 0,
    reordered: 0,
    leaderMsPerEvent: [],
    leaderScriptMsPerEvent: [],
    leaderWallMsPerEvent: [],
  };
  const everyTab = [leader, ...followers];
  const metrics = await leaderMetrics(leader);
  try {
    await Promise.all(everyTab.map((tab) => tab.clear()));
    const published: string[] = [];
    for (let n = 0; n < LATENCY_EVENTS; n++) {
      published.push(server.publish('news', 'tick', { n, ...PAYLOAD }));
      await sleep(LATENCY_EVERY_MS);
    }
    await waitForAll(followers, LATENCY_EVENTS);
    const arrivals = arrivalTimes(await leader.record());
    for (const follower of followers) {
      const record = await follower.record();
      tally(run, published, record);
      const delivered = deliveryTimes(record);
      for (const [id, arrivedAt] of arrivals) {
        const deliveredAt = delivered.get(id);
        if (deliveredAt !== undefined) run.latenciesMs.push(deliveredAt - arrivedAt);
      }
    }

    for (let burst = 0; burst < BURSTS; burst++) {
      const before = await metrics.read();
      const { ids, complete } = await publishBurst(server, everyTab, followers);
      // Read before anything else evaluates in the leader: reading its record is work too.
      const after = await metrics.read();
      const records = await Promise.all(followers.map((tab) => tab.record()));
      for (const record of records) tally(run, ids, record);
      if (!complete) continue;
      run.leaderMsPerEvent.push((after.taskMs - before.taskMs) / BURST_EVENTS);
      run.leaderScriptMsPerEvent.push((after.scriptMs - before.scriptMs) / BURST_EVENTS);
      run.leaderWallMsPerEvent.push((after.wallTaskMs - before.wallTaskMs) / BURST_EVENTS);
      const arrivals = (await leader.record()).arrivedAt;
      const start = arrivals[0]!;
      const ends = records.map((record) => record.deliveredAt[BURST_EVENTS - 1]!);
      run.throughputs.push(BURST_EVENTS / ((Math.max(...ends) - start) / 1000));
      run.leaderSpansMs.push(arrivals[BURST_EVENTS - 1]! - start);
    }
    await metrics.detach();
    if (profilePath === undefined) return { run };
    const profile = await recordCpuProfile(leader.page, async () => {
      await publishBurst(server, everyTab, followers);
    });
    writeFileSync(profilePath, JSON.stringify(profile));
    const summary = summarizeProfile(
      profile,
      SourceMap.fromInline(await benchBundle({ sourcemap })),
    );
    for (const line of formatProfile(
      summary,
      `relay tabcast leader, one burst of ${BURST_EVENTS}`,
    )) {
      options.log(line);
    }
    options.log(`relay: wrote the leader's CPU profile to ${profilePath}`);
    return { run, profile: { ...summary, path: profilePath } };
  } finally {
    await close();
    await server.close();
  }
}

export async function runRelay(
  chromium: TestChromium,
  options: RelayOptions,
): Promise<RelayResult> {
  const runs: RelayRun[] = [];
  let profile: RelayResult['profile'];
  for (const subject of ['tabcast', 'raw'] as const) {
    const outcome = await runOne(chromium, subject, options);
    const run = outcome.run;
    profile ??= outcome.profile;
    runs.push(run);
    options.log(
      `relay ${subject}: median ${median(run.latenciesMs).toFixed(2)} ms, ` +
        `${Math.round(median(run.throughputs))} events/s to 9 followers, leader ` +
        `${median(run.leaderMsPerEvent).toFixed(3)} ms/event of CPU ` +
        `(${median(run.leaderWallMsPerEvent).toFixed(3)} wall), ` +
        `missing ${run.missing}, duplicated ${run.duplicated}, reordered ${run.reordered}`,
    );
  }
  return {
    runs,
    latencyEvents: LATENCY_EVENTS,
    burstEvents: BURST_EVENTS,
    bursts: BURSTS,
    ...(profile ? { profile } : {}),
  };
}
