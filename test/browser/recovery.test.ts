/**
 * The server pushes back or goes away: a 429 with Retry-After is honoured to the second, and a
 * restart (new process, same port) is recovered from by every tab.
 */
import { describe, expect, it } from 'vitest';
import {
  expectNumbersInEveryTab,
  expectOneStream,
  publishNumbers,
  useBrowserSuite,
} from './support/suite.js';
import { waitUntil } from './support/wait.js';

const suite = useBrowserSuite();

describe('429 with Retry-After: 2', () => {
  for (const transport of ['fetch', 'eventsource'] as const) {
    it(`${transport}: the next connect waits at least 2 s`, async () => {
      const browser = await suite.newProfile();
      const tabs = await browser.openTabs(3, { user: 'ada', transport });
      await expectOneStream(suite.server, tabs, 'ada');
      const since = Date.now();

      // A native EventSource hides the status; its transport asks again with one probe request,
      // which must see the same answer.
      suite.server.refuseConnects({
        status: 429,
        headers: { 'retry-after': '2' },
        times: transport === 'fetch' ? 1 : 2,
      });
      suite.server.dropStreams();
      const attempts = await suite.server.waitForConnects(
        'the refused connects, then a stream',
        since,
        (seen) => seen.some((attempt) => attempt.refused) && seen.at(-1)?.status === 200,
      );
      await expectOneStream(suite.server, tabs, 'ada');

      const refused = attempts.filter((attempt) => attempt.status === 429);
      expect(refused).toHaveLength(transport === 'fetch' ? 1 : 2);
      const lastRefusal = refused.at(-1)!;
      const next = attempts[attempts.indexOf(lastRefusal) + 1]!;
      expect(next.status).toBe(200);
      expect(
        next.at - lastRefusal.at,
        'ms between the 429 and the next connect',
      ).toBeGreaterThanOrEqual(2_000);
    });
  }
});

describe('the server restarts', () => {
  for (const transport of ['eventsource', 'fetch'] as const) {
    it(`${transport}: every tab recovers, back to one stream, and events flow again`, async () => {
      const browser = await suite.newProfile();
      const tabs = await browser.openTabs(4, { user: 'ada', transport, topics: ['news'] });
      await expectOneStream(suite.server, tabs, 'ada');
      publishNumbers(suite.server, 'news', 5);
      await expectNumbersInEveryTab(tabs, 'news', 5);
      const resyncsBefore = await Promise.all(
        tabs.map(async (tab) => (await tab.resyncs()).length),
      );

      await suite.server.restart({ downMs: 1_000 });
      await expectOneStream(suite.server, tabs, 'ada', { timeout: 20_000 });
      expect(suite.server.hub.stats().openStreams).toBe(1);

      publishNumbers(suite.server, 'news', 5, { from: 5 });
      await expectNumbersInEveryTab(tabs, 'news', 10);
      // The new process cannot replay the old one's events: every tab is told to resync.
      await waitUntil(
        'a resync in every tab after the restart',
        () => Promise.all(tabs.map(async (tab) => (await tab.resyncs()).length)),
        (counts) => counts.every((count, index) => count > resyncsBefore[index]!),
      );
    });
  }
});

describe('a stream that goes silent (headers, then not a byte)', () => {
  for (const transport of ['eventsource', 'fetch'] as const) {
    it(`${transport}: is given up after the stall timeout, and a new stream opens`, async () => {
      const browser = await suite.newProfile();
      const tabs = await browser.openTabs(3, { user: 'ada', transport, topics: ['news'] });
      await expectOneStream(suite.server, tabs, 'ada');
      const since = Date.now();

      suite.server.silenceConnects(1);
      suite.server.dropStreams();
      const attempts = await suite.server.waitForConnects(
        'a silent stream, then a real one',
        since,
        (seen) => seen.some((attempt) => attempt.refused) && seen.at(-1)?.refused === false,
        { timeout: 20_000 },
      );
      await expectOneStream(suite.server, tabs, 'ada');

      const silent = attempts.find((attempt) => attempt.refused)!;
      const next = attempts[attempts.indexOf(silent) + 1]!;
      // The test page's stallTimeoutMs is 4 s (the hub's heartbeat comes every 0.5 s).
      expect(next.at - silent.at, 'ms the silent stream was kept').toBeGreaterThanOrEqual(4_000);
      expect(next.at - silent.at).toBeLessThan(10_000);
      await waitUntil(
        'the client to close the silent stream',
        () => suite.server.openSilentStreams,
        (open) => open === 0,
      );
      publishNumbers(suite.server, 'news', 5);
      await expectNumbersInEveryTab(tabs, 'news', 5);
    });
  }
});
