/**
 * Many tabs of one profile, many streams: how many connections the server sees, whether every
 * tab gets every event once and in order, and whether `close()` in every tab leaves nothing open.
 * Written for every variant; native runs now and sets the baseline the shared version must beat
 * (native: one stream per tab per URL; shared: one per URL).
 *
 * Chromium allows six HTTP/1.1 connections per host per profile. Past six streams, further
 * streams (and every other request to that host: page loads, fetches) wait for a free
 * connection. So the suite runs over HTTP/1.1, where that limit is recorded, and over HTTP/2
 * (TLS, self-signed), where one connection carries every stream.
 */
import { describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../support/wait.js';
import { VARIANTS, type Variant } from './support/implementations.js';
import { MIXED_EVENTS } from './support/parity.js';
import type { PlainTab } from './support/plain-browser.js';
import type { PlainServer, Protocol } from './support/plain-server.js';
import { type PlainSuite, usePlainSuite } from './support/plain-suite.js';
import { ReplayingStream } from './support/replaying-stream.js';

/** Chromium's HTTP/1.1 connections per host per profile. */
const HTTP1_CONNECTIONS_PER_HOST = 6;

/** The streams of the "real app": one per panel of one page. */
const APP_PANELS = [
  'layout',
  'dashboard',
  'status',
  'report',
  'chat',
  'token-usage',
  'settings',
] as const;

/** Streams the server should see per URL with `tabs` tabs listening: the baseline, or one. */
function streamsPerUrl(variant: Variant, tabs: number): number {
  return variant.implementation === 'native' ? tabs : 1;
}

/** Mounts a replaying stream per name under `/<prefix>/`, returning them by name. */
function mountStreams(server: PlainServer, prefix: string, names: readonly string[]) {
  const streams = new Map<string, ReplayingStream>();
  for (const name of names) {
    const stream = new ReplayingStream({ retryMs: 100 });
    server.route(`/${prefix}/${name}`, stream.route);
    streams.set(name, stream);
  }
  return streams;
}

/** Each tab opens a source on every path, tab by tab, path by path (a fixed order). */
async function openEverywhere(tabs: PlainTab[], paths: readonly string[]): Promise<void> {
  for (const tab of tabs) {
    for (const path of paths) await tab.open(path, path, { listen: ['tick'] });
  }
}

/** Whether a plain fetch to the host gets an answer within `ms` (false: it waited for a socket). */
function fetchAnswers(tab: PlainTab, ms: number): Promise<boolean> {
  return tab.page.evaluate(
    (timeout) =>
      fetch(`/plain.html?probe=${Math.random()}`, { signal: AbortSignal.timeout(timeout) }).then(
        () => true,
        () => false,
      ),
    ms,
  );
}

/** Opens per tab: which paths got `open`, which are still CONNECTING with no event at all. */
async function openedPaths(tabs: PlainTab[], paths: readonly string[]) {
  return Promise.all(
    tabs.map(async (tab) => {
      const opened: string[] = [];
      const waiting: string[] = [];
      for (const path of paths) {
        const entries = await tab.entries(path);
        if (entries.some((entry) => entry.type === 'open')) opened.push(path);
        else if (entries.length === 0 && (await tab.readyState(path)) === 0) waiting.push(path);
      }
      return { opened, waiting };
    }),
  );
}

/**
 * Opens `tabCount` tabs, then in each a source per name (streams mounted under `/<prefix>/`).
 * Every tab first: once six streams are open over HTTP/1.1, a page load waits like a fetch.
 */
async function openApp(
  suite: PlainSuite,
  variant: Variant,
  { prefix, names, tabCount }: { prefix: string; names: readonly string[]; tabCount: number },
) {
  const streams = mountStreams(suite.server, prefix, names);
  const paths = names.map((name) => `/${prefix}/${name}`);
  const tabs = await (await suite.newProfile()).openTabs(tabCount, variant);
  await openEverywhere(tabs, paths);
  const perUrl = streamsPerUrl(variant, tabs.length);
  return { streams, paths, tabs, perUrl, wanted: perUrl * paths.length };
}

function defineSuite(protocol: Protocol): void {
  const suite: PlainSuite = usePlainSuite({ protocol });

  for (const variant of VARIANTS) {
    it(`${variant.name}: 4 tabs, two URLs: the streams the server sees, every event once, in order, and close() leaves none`, async () => {
      const { streams, paths, tabs, perUrl, wanted } = await openApp(suite, variant, {
        prefix: `tabs-${variant.name}`,
        names: ['alpha', 'beta'],
        tabCount: 4,
      });
      if (protocol === 'http1' && wanted > HTTP1_CONNECTIONS_PER_HOST) {
        // More streams than connections: six open, the rest wait for a socket and never open.
        await waitUntil(
          'six open streams',
          () => paths.reduce((sum, path) => sum + suite.server.openStreams(path), 0),
          (open) => open === HTTP1_CONNECTIONS_PER_HOST,
        );
        await sleep(500);
        const seen = await openedPaths(tabs, paths);
        expect(seen.flatMap(({ opened }) => opened)).toHaveLength(HTTP1_CONNECTIONS_PER_HOST);
        expect(seen.flatMap(({ waiting }) => waiting)).toHaveLength(
          wanted - HTTP1_CONNECTIONS_PER_HOST,
        );
        // Tabs 1-3 hold all six; tab 4's two sources wait.
        expect(seen.map(({ waiting }) => waiting.length)).toEqual([0, 0, 0, 2]);
        expect(await fetchAnswers(tabs[0]!, 1_000), 'a fetch while six streams are open').toBe(
          false,
        );
      } else {
        await waitUntil(
          `${perUrl} open stream(s) per URL`,
          () => paths.map((path) => suite.server.openStreams(path)),
          (open) => open.every((count) => count === perUrl),
        );
        for (const event of MIXED_EVENTS)
          for (const stream of streams.values()) stream.publish(event);
        for (const tab of tabs) {
          for (const path of paths) {
            const last = MIXED_EVENTS.at(-1)!.data;
            const entries = await tab.waitForEntries(path, 'the last event', (seen) =>
              seen.some((entry) => entry.data === last),
            );
            expect(
              entries
                .filter((entry) => entry.type !== 'open')
                .map((entry) => [entry.type, entry.data]),
              `${tab.name}, ${path}`,
            ).toEqual(MIXED_EVENTS.map((event) => [event.event ?? 'message', event.data]));
          }
        }
        expect(paths.map((path) => suite.server.maxOpenStreams(path))).toEqual([perUrl, perUrl]);
      }

      // Last tab first: over HTTP/1.1 the waiting sources go before a socket frees up for them.
      for (const tab of [...tabs].reverse()) for (const path of paths) await tab.close(path);
      await waitUntil(
        'no open stream',
        () => paths.map((path) => suite.server.openStreams(path)),
        (open) => open.every((count) => count === 0),
      );
      // Closed, and nothing reconnects.
      await sleep(300);
      expect(paths.map((path) => suite.server.openStreams(path))).toEqual([0, 0]);
    });

    it(`${variant.name}: the 7-stream app in 3 tabs: which streams open, which wait, whether a fetch gets through`, async () => {
      const { streams, paths, tabs, wanted } = await openApp(suite, variant, {
        prefix: `app-${variant.name}`,
        names: APP_PANELS,
        tabCount: 3,
      });
      const canOpen = protocol === 'http1' ? Math.min(wanted, HTTP1_CONNECTIONS_PER_HOST) : wanted;

      const total = () => paths.reduce((sum, path) => sum + suite.server.openStreams(path), 0);
      await waitUntil(`${canOpen} open streams`, total, (open) => open === canOpen);
      const versions = new Set(
        paths.flatMap((path) => suite.server.requestsTo(path)).map((r) => r.httpVersion),
      );
      expect([...versions]).toEqual([protocol === 'h2' ? '2.0' : '1.1']);
      await sleep(500);
      expect(total(), 'open streams, after a while').toBe(canOpen);
      // One request per open stream (shared: one per URL for every tab), each on a connection of
      // its own over HTTP/1.1, all on one over HTTP/2.
      const streamRequests = paths.flatMap((path) => suite.server.requestsTo(path));
      expect(streamRequests, 'requests for the streams').toHaveLength(canOpen);
      expect(new Set(streamRequests.map((r) => r.connection)).size, 'connections').toBe(
        protocol === 'h2' ? 1 : canOpen,
      );
      const seen = await openedPaths(tabs, paths);
      // A shared stream is every tab's: each of its tabs' sources opens (or waits) with it.
      const sourcesPerStream = variant.implementation === 'native' ? 1 : tabs.length;
      expect(seen.flatMap(({ opened }) => opened)).toHaveLength(canOpen * sourcesPerStream);
      expect(seen.flatMap(({ waiting }) => waiting)).toHaveLength(
        (wanted - canOpen) * sourcesPerStream,
      );
      if (protocol === 'http1' && variant.implementation === 'native') {
        // The first six requested are the ones served: tab 1's first six panels.
        expect(seen[0]!.opened).toEqual(paths.slice(0, HTTP1_CONNECTIONS_PER_HOST));
        expect(seen.map(({ waiting }) => waiting.length)).toEqual([1, 7, 7]);
      }
      expect(await fetchAnswers(tabs[0]!, 1_000), 'a fetch while the streams are open').toBe(
        canOpen < HTTP1_CONNECTIONS_PER_HOST || protocol === 'h2',
      );

      // Where every stream is open, every tab gets every panel's event.
      if (canOpen === wanted) {
        for (const [panel, stream] of streams) stream.publish({ id: '1', data: panel });
        for (const tab of tabs) {
          for (const [index, path] of paths.entries()) {
            await tab.waitForEntries(path, `the event of ${APP_PANELS[index]}`, (entries) =>
              entries.some((entry) => entry.data === APP_PANELS[index]),
            );
          }
        }
      }
      for (const tab of [...tabs].reverse()) await tab.closeAll();
      await waitUntil('no open stream', total, (open) => open === 0);
    });
  }
}

describe('over HTTP/1.1', () => defineSuite('http1'));
describe('over HTTP/2', () => defineSuite('h2'));
