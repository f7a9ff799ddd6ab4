/**
 * The fixture every browser test file uses: one Chromium per file, a fresh test server (clean
 * connect log and stats) and fresh profiles per test, all closed afterwards.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject } from 'vitest';
import type { HubOptions } from '../../../src/server/index.js';
import {
  type BrowserProfile,
  type ProfileOptions,
  type Site,
  type Tab,
  TestChromium,
} from './browser.js';
import { TestServer, type TestUser } from './test-server.js';
import { type WaitOptions, waitUntil } from './wait.js';

export interface BrowserSuite {
  readonly server: TestServer;
  /** A new browser profile (context) on the test server, closed after the test. */
  newProfile(options?: ProfileOptions, site?: Site): Promise<BrowserProfile>;
}

export function useBrowserSuite(hub: Partial<HubOptions<TestUser>> = {}): BrowserSuite {
  let chromium: TestChromium | undefined;
  let server: TestServer | undefined;
  const profiles: BrowserProfile[] = [];

  beforeAll(async () => {
    chromium = await TestChromium.launch();
  });
  beforeEach(async () => {
    server = await TestServer.start({ pageBundle: inject('pageBundle'), hub });
  });
  afterEach(async () => {
    const tabs = profiles.flatMap((profile) => profile.tabs);
    const recorded = await Promise.all(
      tabs.map(async (tab) => {
        const { errors } = await tab.record().catch(() => ({ errors: [] as string[] }));
        return [...tab.pageErrors, ...errors].map((error) => `${tab.name}: ${error}`);
      }),
    );
    await Promise.all(profiles.splice(0).map((profile) => profile.close()));
    await server?.close();
    expect(recorded.flat(), 'errors in the pages').toEqual([]);
    expect(server?.logged, 'errors the hub logged').toEqual([]);
  });
  afterAll(async () => {
    await chromium?.close();
  });

  return {
    get server() {
      if (!server) throw new Error('the test server starts in beforeEach');
      return server;
    },
    async newProfile(options = {}, site) {
      if (!chromium || !server) throw new Error('the browser starts in beforeAll');
      const profile = await chromium.newProfile(site ?? server, options);
      profiles.push(profile);
      return profile;
    },
  };
}

/**
 * Waits until the server has exactly one stream for `user` and every tab is open, with exactly
 * one leader among them. Returns the leader.
 */
export async function expectOneStream(
  server: TestServer,
  tabs: Tab[],
  user: string,
  options: WaitOptions = {},
): Promise<Tab> {
  const seen = await waitUntil(
    `one stream for ${user} and ${tabs.length} open tabs with one leader`,
    async () => ({
      streams: server.hub.stats().streamsByUser[user] ?? 0,
      statuses: await Promise.all(tabs.map((tab) => tab.status())),
    }),
    ({ streams, statuses }) =>
      streams === 1 &&
      statuses.every((status) => status.phase === 'open' && status.userId === user) &&
      statuses.filter((status) => status.role === 'leader').length === 1,
    options,
  );
  return tabs[seen.statuses.findIndex((status) => status.role === 'leader')]!;
}

/** Publishes `{ n: from }` … `{ n: from + count - 1 }` on `topic`. */
export function publishNumbers(
  server: TestServer,
  topic: string,
  count: number,
  { from = 0, eventName = 'tick' }: { from?: number; eventName?: string } = {},
): void {
  for (let n = from; n < from + count; n += 1) server.publish(topic, eventName, { n });
}

/**
 * Waits until every tab delivered `count` events of `topic`, then asserts each got exactly
 * 0 … count-1, in order: nothing lost, nothing twice.
 */
export async function expectNumbersInEveryTab(
  tabs: Tab[],
  topic: string,
  count: number,
  options: WaitOptions = {},
): Promise<void> {
  const numbers = await waitUntil(
    `${count} events of ${topic} in each of ${tabs.length} tabs`,
    () => Promise.all(tabs.map((tab) => tab.numbers(topic))),
    (seen) => seen.every((list) => list.length >= count),
    options,
  );
  const expected = Array.from({ length: count }, (_, n) => n);
  for (const [index, list] of numbers.entries()) {
    expect(list, `events of ${topic} delivered in ${tabs[index]!.name}`).toEqual(expected);
  }
}

export interface Publisher {
  /** The `n` of the next event: how many were published so far, when counting from 0. */
  readonly count: number;
  /** Stops publishing; returns `count` (events up to `count - 1` were published). */
  stop(): number;
}

/**
 * Publishes `{ n }` on `topic` every `everyMs`, from the test process, until stopped; `n` counts
 * from `from`.
 */
export function startPublishing(
  server: TestServer,
  topic: string,
  everyMs = 20,
  { from = 0 }: { from?: number } = {},
): Publisher {
  let count = from;
  const timer = setInterval(() => {
    server.publish(topic, 'tick', { n: count });
    count += 1;
  }, everyMs);
  return {
    get count() {
      return count;
    },
    stop() {
      clearInterval(timer);
      return count;
    },
  };
}

/** Waits until every tab delivered at least `count` events of `topic`. */
export async function waitForDeliveries(
  tabs: Tab[],
  topic: string,
  count: number,
  options: WaitOptions = {},
): Promise<void> {
  await waitUntil(
    `at least ${count} events of ${topic} in each of ${tabs.length} tabs`,
    () => Promise.all(tabs.map(async (tab) => (await tab.events(topic)).length)),
    (counts) => counts.every((delivered) => delivered >= count),
    options,
  );
}
