/**
 * The scope's BroadcastChannel is open to any script of the origin. Whatever invalid message is
 * posted on it is dropped and counted: no stream, status or delivery changes.
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

const SCOPE = 'app:ada';
const CHANNEL = `tabcast:${SCOPE}`;
const from = 'intruder';

/** Messages that must fail validation; each says in its neighbour comment what is wrong. */
const GARBAGE: unknown[] = [
  'garbage',
  42,
  null,
  true,
  [],
  {},
  [{ v: 1, scope: SCOPE, from, type: 'logout' }],
  { v: 2, scope: SCOPE, from, type: 'logout' }, // wrong version
  { v: '1', scope: SCOPE, from, type: 'logout' },
  { v: 1, scope: 'app:bob', from, type: 'logout' }, // another scope's logout
  { v: 1, scope: SCOPE, type: 'logout' }, // no sender
  { v: 1, scope: SCOPE, from: '', type: 'logout' },
  { v: 1, scope: SCOPE, from: 7, type: 'logout' },
  { v: 1, scope: SCOPE, from, type: 'nope' },
  { v: 1, scope: SCOPE, from, type: 'toString' },
  { v: 1, scope: SCOPE, from, type: '__proto__' },
  { v: 1, scope: SCOPE, from, type: 'constructor' },
  { v: 1, scope: SCOPE, from },
  { v: 1, scope: SCOPE, from, type: 'event', epoch: 99, id: '1', event: 'tick', data: 42 },
  { v: 1, scope: SCOPE, from, type: 'event', epoch: -1, id: '1', event: 'tick', data: '{}' },
  { v: 1, scope: SCOPE, from, type: 'event', epoch: 1.5, id: '1', event: 'tick', data: '{}' },
  { v: 1, scope: SCOPE, from, type: 'event', epoch: 99, id: 1, event: 'tick', data: '{}' },
  { v: 1, scope: SCOPE, from, type: 'event', epoch: 99, id: '1', data: '{}' },
  { v: 1, scope: SCOPE, from, type: 'state', epoch: 99, status: null },
  {
    v: 1,
    scope: SCOPE,
    from,
    type: 'state',
    epoch: 99,
    status: { phase: 'exploded', attempt: 0, retryAt: null, error: null },
  },
  {
    v: 1,
    scope: SCOPE,
    from,
    type: 'state',
    epoch: 99,
    status: { phase: 'failed', attempt: '0', retryAt: null, error: null },
  },
  { v: 1, scope: SCOPE, from, type: 'heartbeat', epoch: Number.MAX_VALUE },
  { v: 1, scope: SCOPE, from, type: 'heartbeat' },
  { v: 1, scope: SCOPE, from, type: 'claim', epoch: '99' },
  { v: 1, scope: SCOPE, from, type: 'topics', topics: 'news,evil', events: [] },
  { v: 1, scope: SCOPE, from, type: 'topics', topics: [1, 2], events: [] },
  { v: 1, scope: SCOPE, from, type: 'topics', topics: Array(2000).fill('x'), events: [] },
  { v: 1, scope: SCOPE, from, type: 'bye', leader: 'yes', epoch: 1 },
];

describe('garbage on the scope’s BroadcastChannel', () => {
  it('is counted and changes nothing: one stream, same status, every event once', async () => {
    const browser = await suite.newProfile();
    const tabs = await browser.openTabs(4, { user: 'ada', topics: ['news'] });
    await expectOneStream(suite.server, tabs, 'ada');
    publishNumbers(suite.server, 'news', 5);
    await expectNumbersInEveryTab(tabs, 'news', 5);

    const view = async () =>
      Promise.all(
        tabs.map(async (tab) => {
          const { phase, role, epoch, userId, mode } = await tab.status();
          return { phase, role, epoch, userId, mode };
        }),
      );
    const before = await view();
    const countsBefore = await Promise.all(
      tabs.map(async (tab) => (await tab.diagnostics()).invalidChannelMessages),
    );
    const connectsBefore = suite.server.connects.length;

    await tabs[1]!.postOnChannel(CHANNEL, GARBAGE);
    // Values JSON cannot carry, cloned by the channel as they are.
    const cloned = await tabs[2]!.page.evaluate((name) => {
      const posts: unknown[] = [
        undefined,
        new Map([['type', 'logout']]),
        new Date(),
        new ArrayBuffer(16),
        new Uint8Array([1, 2, 3]),
        /logout/,
        new Error('logout'),
        { deep: [new Set([1])] },
      ];
      const channel = new BroadcastChannel(name);
      for (const post of posts) channel.postMessage(post);
      channel.close();
      return posts.length;
    }, CHANNEL);
    const posted = GARBAGE.length + cloned;

    const counts = await waitUntil(
      `${posted} invalid channel messages counted in every tab`,
      () => Promise.all(tabs.map(async (tab) => (await tab.diagnostics()).invalidChannelMessages)),
      (seen) => seen.every((count, index) => count >= countsBefore[index]! + posted),
    );
    expect(counts).toEqual(countsBefore.map((count) => count + posted));

    expect(await view()).toEqual(before);
    expect(suite.server.connects.length, 'no reconnect').toBe(connectsBefore);
    expect(suite.server.hub.stats().openStreams).toBe(1);
    publishNumbers(suite.server, 'news', 5, { from: 5 });
    await expectNumbersInEveryTab(tabs, 'news', 10);
    expect(await view()).toEqual(before);
    for (const tab of tabs) expect((await tab.record()).errors).toEqual([]);
  });
});
