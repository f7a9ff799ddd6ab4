/**
 * Scenario 2, failover gap: three tabs of one user, the server publishing every 10 ms. The leader
 * is closed (or its renderer crashed); the gap is the time from that moment to the first event a
 * remaining follower delivers through the new leader's stream. A new tab then takes the closed
 * one's place and the next repetition starts.
 *
 * "Through the new leader" is decided without guessing: the new leader's connect request, as the
 * server logged it, carries its resume point; the first event with a greater id delivered after
 * that request arrived came over the new stream.
 *
 * The same runs against the floor (`?bench=floor`): Web Locks + EventSource + Last-Event-ID, with
 * the same bare BroadcastChannel post so its followers are measured at the same point.
 *
 * Every tab's delivered ids are checked against what was published while it listened: lost and
 * duplicated events over all repetitions.
 */
import {
  BenchTab,
  type BrowserProfile,
  openTabs,
  settledLeader,
  startBenchServer,
  type TestChromium,
  type TestServer,
  wallNow,
} from '../browser.js';
import type { BenchRecord } from '../page-api.js';
import { lossAndDuplicates, median } from '../stats.js';
import { expectWithin } from '../wait.js';

export type FailoverKind = 'close' | 'crash';
export type FailoverSubject = 'tabcast' | 'floor';

const TABS = 3;
const PUBLISH_EVERY_MS = 10;
const USER = 'ada';

export interface FailoverRun {
  subject: FailoverSubject;
  kind: FailoverKind;
  /** Per repetition: leader gone → first event in a follower through the new leader. */
  gapsMs: number[];
  /** Per repetition: leader gone → the new leader's own first event. */
  newLeaderGapsMs: number[];
  /**
   * Where the gap goes, per repetition, each from the moment the leader went: the new leader's
   * page says it leads, constructs its EventSource, the server logs that request, the first event
   * reaches that EventSource (before any listener of the page), the new leader delivers it.
   */
  stages: FailoverStages;
  lost: number;
  duplicated: number;
  /** Events published during the run. */
  published: number;
  /** Repetitions that did not recover within the time limit. */
  failed: number;
}

/** Publishes `{ n }` every PUBLISH_EVERY_MS and keeps the ids in order. */
function startPublisher(server: TestServer) {
  const ids: number[] = [];
  const timer = setInterval(() => {
    ids.push(Number(server.publish('news', 'tick', { n: ids.length })));
  }, PUBLISH_EVERY_MS);
  return { ids, stop: () => clearInterval(timer) };
}

/** What one tab delivered, checked against the ids published over the span it listened. */
function account(
  published: readonly number[],
  record: BenchRecord,
  untilId: number | null,
): { lost: number; duplicated: number } {
  const delivered = record.deliveredIds.filter((id): id is string => id !== null);
  if (delivered.length === 0) return { lost: 0, duplicated: 0 };
  const first = Number(delivered[0]);
  const last = untilId ?? Math.max(...delivered.map(Number));
  const expected = published.filter((id) => id >= first && id <= last).map(String);
  return lossAndDuplicates(expected, delivered);
}

export interface FailoverStages {
  leads: number[];
  constructs: number[];
  requests: number[];
  arrives: number[];
}

/** When, after `goneAt`, the new leader reached each stage (page clock; the server's for requests). */
function stagesOf(
  record: BenchRecord,
  goneAt: number,
  requestAt: number,
  resumeId: number,
): Record<keyof FailoverStages, number | undefined> {
  const since = (at: number | undefined) => (at === undefined ? undefined : at - goneAt);
  const constructed = record.connects.find((connect) => connect.at >= goneAt)?.at;
  const arrival = record.arrivedAt.findIndex(
    (at, index) =>
      constructed !== undefined && at >= constructed && Number(record.arrivedIds[index]) > resumeId,
  );
  return {
    leads: since(
      record.statuses.find((status) => status.role === 'leader' && status.at >= goneAt)?.at,
    ),
    constructs: since(constructed),
    requests: since(requestAt),
    arrives: since(arrival === -1 ? undefined : record.arrivedAt[arrival]),
  };
}

/** The first delivery of `record` through the stream opened at `connectAt` after `resumeId`. */
function firstThroughNewStream(
  record: BenchRecord,
  resumeId: number,
  connectAt: number,
): number | undefined {
  for (let index = 0; index < record.deliveredIds.length; index++) {
    const id = record.deliveredIds[index];
    // The server logs whole milliseconds: a little slack for the two clocks.
    if (id !== null && Number(id) > resumeId && record.deliveredAt[index]! >= connectAt - 2) {
      return record.deliveredAt[index];
    }
  }
  return undefined;
}

async function runOne(
  chromium: TestChromium,
  subject: FailoverSubject,
  kind: FailoverKind,
  repetitions: number,
  log: (line: string) => void,
): Promise<FailoverRun> {
  const server = await startBenchServer();
  const profile: BrowserProfile = await chromium.newProfile(server);
  const run: FailoverRun = {
    subject,
    kind,
    gapsMs: [],
    newLeaderGapsMs: [],
    stages: { leads: [], constructs: [], requests: [], arrives: [] },
    lost: 0,
    duplicated: 0,
    published: 0,
    failed: 0,
  };
  const publisher = startPublisher(server);
  const tally = (counts: { lost: number; duplicated: number }) => {
    run.lost += counts.lost;
    run.duplicated += counts.duplicated;
  };
  let opened = 0;
  const openTab = async () => {
    const tab = await BenchTab.open(profile, `${subject} ${++opened}`, {
      mode: subject,
      user: USER,
    });
    if (!tab) throw new Error(`bench: a ${subject} tab did not load`);
    return tab;
  };
  try {
    let tabs = await openTabs(profile, TABS, { mode: subject, user: USER });
    opened = TABS;
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const leader = await settledLeader(tabs);
      // Every tab listening before the leader goes.
      await expectWithin(
        'every tab delivering',
        async () =>
          (await Promise.all(tabs.map((tab) => tab.deliveredCount()))).every((n) => n > 0),
        10_000,
        20,
      );
      tally(account(publisher.ids, await leader.record(), null));
      const connectsBefore = server.connects.length;
      const goneAt = wallNow();
      if (kind === 'close') await leader.close();
      else await leader.crash();
      const survivors = tabs.filter((tab) => tab !== leader);

      let gap: number | undefined;
      let newLeaderGap: number | undefined;
      let stages: Record<keyof FailoverStages, number | undefined> | undefined;
      try {
        await expectWithin(
          `a follower served by the new leader (${subject}, ${kind})`,
          async () => {
            const attempt = server.connects
              .slice(connectsBefore)
              .find((connect) => connect.status === 200);
            if (!attempt) return false;
            const resumeId = Number(attempt.lastEventId ?? 0);
            const roles = await Promise.all(survivors.map((tab) => tab.role()));
            const records = await Promise.all(survivors.map((tab) => tab.record()));
            const times = records.map((record) =>
              firstThroughNewStream(record, resumeId, attempt.at),
            );
            const followerTimes = times.filter((_, index) => roles[index] !== 'leader');
            const leaderTimes = times.filter((_, index) => roles[index] === 'leader');
            if (followerTimes.length === 0 || followerTimes.some((time) => time === undefined)) {
              return false;
            }
            gap = Math.min(...(followerTimes as number[])) - goneAt;
            const newLeader = records[roles.indexOf('leader')];
            if (newLeader) stages = stagesOf(newLeader, goneAt, attempt.at, resumeId);
            const leaderTime = leaderTimes[0];
            newLeaderGap = leaderTime === undefined ? undefined : leaderTime - goneAt;
            return true;
          },
          15_000,
          5,
        );
      } catch (error) {
        run.failed += 1;
        log(`failover ${subject} ${kind} #${repetition + 1}: ${(error as Error).message}`);
      }
      if (gap !== undefined) run.gapsMs.push(gap);
      if (newLeaderGap !== undefined) run.newLeaderGapsMs.push(newLeaderGap);
      for (const [stage, at] of Object.entries(stages ?? {})) {
        if (at !== undefined) run.stages[stage as keyof FailoverStages].push(at);
      }
      tabs = [...survivors, await openTab()];
    }
    // Drain: every tab catches up with the last event, then each is accounted in full.
    publisher.stop();
    const lastId = publisher.ids.at(-1)!;
    await expectWithin(
      'every tab caught up',
      async () =>
        (await Promise.all(tabs.map((tab) => tab.lastDelivered()))).every(
          (id) => id !== null && Number(id) >= lastId,
        ),
      10_000,
      20,
    ).catch((error: Error) => log(`failover ${subject} ${kind}: ${error.message}`));
    for (const tab of tabs) tally(account(publisher.ids, await tab.record(), lastId));
    run.published = publisher.ids.length;
    return run;
  } finally {
    publisher.stop();
    await profile.close();
    await server.close();
  }
}

export interface FailoverResult {
  runs: FailoverRun[];
  repetitions: number;
  publishEveryMs: number;
}

export async function runFailover(
  chromium: TestChromium,
  repetitions: number,
  log: (line: string) => void,
): Promise<FailoverResult> {
  const runs: FailoverRun[] = [];
  for (const kind of ['close', 'crash'] as const) {
    for (const subject of ['tabcast', 'floor'] as const) {
      const run = await runOne(chromium, subject, kind, repetitions, log);
      runs.push(run);
      const at = (samples: number[]) => median(samples).toFixed(1);
      log(
        `failover ${subject} ${kind}: ${run.gapsMs.length} gaps, median ${at(run.gapsMs)} ms ` +
          `(leads ${at(run.stages.leads)}, EventSource ${at(run.stages.constructs)}, ` +
          `request ${at(run.stages.requests)}, first event ${at(run.stages.arrives)}, ` +
          `delivered ${at(run.newLeaderGapsMs)}), lost ${run.lost}, ` +
          `duplicated ${run.duplicated}, failed ${run.failed}`,
      );
    }
  }
  return { runs, repetitions, publishEveryMs: PUBLISH_EVERY_MS };
}
