/**
 * Scenario 1, streams held: how many streams the server sees for one user with N tabs open —
 * tabcast against one native EventSource per tab. Over HTTP/1.1 Chromium allows 6 connections
 * per host, so the per-tab baseline stalls at 6 and a 7th tab's page never loads: counted too.
 */
import {
  BenchTab,
  type BenchTabOptions,
  startBenchServer,
  type TestChromium,
  type TestServer,
} from '../browser.js';
import { sleep, until } from '../wait.js';

export const TAB_COUNTS = [1, 3, 6, 10] as const;
const USER = 'ada';
/** A tab whose page has not loaded by then is counted as hung. */
const LOAD_TIMEOUT_MS = 3_000;

export interface StreamsFigure {
  tabs: number;
  /** Streams the server held once every loaded tab settled. */
  openStreams: number;
  /** The most streams the server held at once for the user. */
  maxOpenStreams: number;
  /** Tabs whose page loaded. */
  loadedTabs: number;
  /** Tabs whose page did not load within LOAD_TIMEOUT_MS. */
  hungTabs: number;
  /** Which tab (1-based, in opening order) was the first whose page did not load. */
  firstHungTab: number | null;
}

export interface StreamsResult {
  tabcast: StreamsFigure[];
  perTab: StreamsFigure[];
  loadTimeoutMs: number;
}

async function measure(
  chromium: TestChromium,
  mode: 'tabcast' | 'perTab',
  count: number,
): Promise<StreamsFigure> {
  const server: TestServer = await startBenchServer();
  const profile = await chromium.newProfile(server);
  try {
    const options: BenchTabOptions = { mode, user: USER, loadTimeoutMs: LOAD_TIMEOUT_MS };
    const loaded: BenchTab[] = [];
    let hung = 0;
    let index = 0;
    // One after the other, as a person opens tabs; once one hangs, the rest are tried together.
    let firstHungTab: number | null = null;
    for (; index < count && hung === 0; index++) {
      const tab = await BenchTab.open(profile, `${mode} ${index + 1}`, options);
      if (tab) loaded.push(tab);
      else {
        hung += 1;
        firstHungTab = index + 1;
      }
    }
    const rest = await Promise.all(
      Array.from({ length: count - index }, (_, offset) =>
        BenchTab.open(profile, `${mode} ${index + offset + 1}`, options),
      ),
    );
    for (const tab of rest) {
      if (tab) loaded.push(tab);
      else hung += 1;
    }
    const expected = mode === 'tabcast' ? 1 : loaded.length;
    await until(
      async () =>
        server.hub.stats().openStreams >= expected &&
        (await Promise.all(loaded.map((tab) => tab.phase()))).every((phase) => phase === 'open'),
      10_000,
      20,
    );
    // Long enough for a second leader or a late reconnect to show.
    await sleep(300);
    return {
      tabs: count,
      openStreams: server.hub.stats().openStreams,
      maxOpenStreams: server.maxOpenStreams(USER),
      loadedTabs: loaded.length,
      hungTabs: hung,
      firstHungTab,
    };
  } finally {
    await profile.close();
    await server.close();
  }
}

export async function runStreams(
  chromium: TestChromium,
  log: (line: string) => void,
): Promise<StreamsResult> {
  const result: StreamsResult = { tabcast: [], perTab: [], loadTimeoutMs: LOAD_TIMEOUT_MS };
  for (const count of TAB_COUNTS) {
    for (const mode of ['tabcast', 'perTab'] as const) {
      const figure = await measure(chromium, mode, count);
      result[mode].push(figure);
      log(
        `streams ${mode} ${count} tabs: ${figure.openStreams} open (max ${figure.maxOpenStreams}),` +
          ` ${figure.hungTabs} hung${figure.firstHungTab ? ` from tab ${figure.firstHungTab} on` : ''}`,
      );
    }
  }
  return result;
}
