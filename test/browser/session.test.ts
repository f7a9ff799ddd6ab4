/**
 * Sign-in and sign-out across tabs: a logout anywhere ends the scope everywhere (even while the
 * leader is reconnecting), a 401 refreshes credentials once, and no event crosses users.
 */
import { describe, expect, it } from 'vitest';
import type { Tab } from './support/browser.js';
import {
  expectNumbersInEveryTab,
  expectOneStream,
  publishNumbers,
  useBrowserSuite,
} from './support/suite.js';
import type { TestServer } from './support/test-server.js';
import { sleep, waitUntil } from './support/wait.js';

const suite = useBrowserSuite();

async function expectSignedOut(server: TestServer, tabs: Tab[], user: string): Promise<void> {
  await waitUntil(
    `every tab signed out and no stream for ${user}`,
    async () => ({
      phases: await Promise.all(tabs.map(async (tab) => (await tab.status()).phase)),
      streams: server.hub.stats().streamsByUser[user] ?? 0,
    }),
    ({ phases, streams }) => streams === 0 && phases.every((phase) => phase === 'signedOut'),
  );
}

describe('logout in a follower while the leader is in backoff', () => {
  for (const transport of ['eventsource', 'fetch'] as const) {
    it(`${transport}: ends every tab's session, and nothing connects afterwards`, async () => {
      const browser = await suite.newProfile();
      const tabs = await browser.openTabs(3, { user: 'ada', transport });
      const leader = await expectOneStream(suite.server, tabs, 'ada');

      suite.server.refuseConnects({ status: 503 });
      suite.server.dropStreams();
      await waitUntil(
        'the leader reconnecting after refused connects',
        async () => ({
          refused: suite.server.connectsOf('ada').filter((attempt) => attempt.refused).length,
          phase: (await leader.status()).phase,
        }),
        ({ refused, phase }) => refused >= 2 && phase === 'reconnecting',
      );

      await tabs.find((tab) => tab !== leader)!.logout();
      // A tab that reconnected now would get a stream: the log and the stats would both show it.
      suite.server.acceptConnects();
      await expectSignedOut(suite.server, tabs, 'ada');
      const signedOutAt = Date.now();

      await sleep(5_000);
      expect(suite.server.connectsOf(undefined, signedOutAt), 'connects after the logout').toEqual(
        [],
      );
      expect(suite.server.hub.stats().openStreams).toBe(0);
      for (const tab of tabs) expect((await tab.status()).phase).toBe('signedOut');
    });
  }
});

describe('the stream answers 401 (fetch transport, bearer tokens)', () => {
  it('refreshes the token once and reconnects, without any tab signing out', async () => {
    const browser = await suite.newProfile();
    const tabs = await browser.openTabs(3, { user: 'ada', transport: 'fetch' });
    const leader = await expectOneStream(suite.server, tabs, 'ada');
    const { clientId } = suite.server.connectsOf('ada')[0]!;
    const since = Date.now();

    suite.server.revokeTokens();
    suite.server.dropStreams();
    const attempts = await suite.server.waitForConnects(
      'a 401, then a stream',
      since,
      (seen) => seen.some((attempt) => attempt.status === 401) && seen.at(-1)?.status === 200,
    );
    expect(await expectOneStream(suite.server, tabs, 'ada')).toBe(leader);
    expect(attempts.map((attempt) => attempt.status)).toEqual([401, 200]);
    expect(attempts.every((attempt) => attempt.clientId === clientId)).toBe(true);
    expect(attempts[1]!.user).toBe('ada');
    const refreshes = suite.server.tokenRequests.filter((request) => request.at >= since);
    expect(refreshes, 'refreshCredentials, called once').toHaveLength(1);
    for (const tab of tabs) {
      const phases = (await tab.statuses()).map((status) => status.phase);
      expect(phases, `${tab.name} never flickers to signedOut`).not.toContain('signedOut');
    }
    publishNumbers(suite.server, 'news', 10);
    await expectNumbersInEveryTab(tabs, 'news', 10);
  });

  it('signs every tab out when the refresh fails, and nothing reconnects', async () => {
    const browser = await suite.newProfile();
    const tabs = await browser.openTabs(3, { user: 'ada', transport: 'fetch' });
    const leader = await expectOneStream(suite.server, tabs, 'ada');
    const { clientId } = suite.server.connectsOf('ada')[0]!;
    const since = Date.now();

    suite.server.failRefreshes(true);
    suite.server.revokeTokens();
    suite.server.dropStreams();
    await expectSignedOut(suite.server, tabs, 'ada');
    const signedOutAt = Date.now();

    await sleep(1_500);
    const attempts = suite.server.connects.filter((attempt) => attempt.at >= since);
    expect(attempts[0]).toMatchObject({ status: 401, clientId });
    expect(suite.server.tokenRequests.filter((request) => request.at >= since)[0]).toMatchObject({
      granted: false,
    });
    // Known race (reported): the leader posts `logout` and releases its Web Lock in one go; the
    // next tab in the lock queue is sometimes granted the lock before the channel delivers the
    // logout, and sends one connect (a second 401, from another clientId, ~50 ms later).
    // So: no stream ever, and nothing once every tab shows signed out.
    expect(attempts.map((attempt) => attempt.status)).not.toContain(200);
    expect(suite.server.connectsOf(undefined, signedOutAt)).toEqual([]);
    expect(suite.server.hub.stats().connects, 'streams ever accepted').toBe(1);
    for (const tab of tabs) expect((await tab.status()).phase).toBe('signedOut');
    expect(await leader.status()).toMatchObject({ phase: 'signedOut', role: 'none' });
  });
});

describe('the server signs a user out (force_logout)', () => {
  it('signs out every tab of that user, and no other user', async () => {
    const first = await suite.newProfile();
    const second = await suite.newProfile();
    const adaTabs = await first.openTabs(3, { user: 'ada' });
    const bobTabs = await second.openTabs(2, { user: 'bob' });
    await expectOneStream(suite.server, adaTabs, 'ada');
    await expectOneStream(suite.server, bobTabs, 'bob');

    expect(suite.server.hub.forceLogout((user) => user.id === 'ada')).toBe(1);
    await expectSignedOut(suite.server, adaTabs, 'ada');
    const signedOutAt = Date.now();

    await sleep(1_500);
    expect(suite.server.connectsOf('ada', signedOutAt)).toEqual([]);
    await expectOneStream(suite.server, bobTabs, 'bob');
    publishNumbers(suite.server, 'news', 5);
    await expectNumbersInEveryTab(bobTabs, 'news', 5);
    for (const tab of adaTabs) expect(await tab.events()).toEqual([]);
  });
});

describe('two users in two browser profiles, and a user switch in one', () => {
  it('never delivers one user’s event to another', async () => {
    const first = await suite.newProfile();
    const second = await suite.newProfile();
    const adaTabs = await first.openTabs(3, { user: 'ada', topics: ['news', 'user:ada:inbox'] });
    const bobTabs = await second.openTabs(3, { user: 'bob', topics: ['news', 'user:bob:inbox'] });
    await expectOneStream(suite.server, adaTabs, 'ada');
    await expectOneStream(suite.server, bobTabs, 'bob');
    expect(suite.server.hub.stats().openStreams).toBe(2);

    publishNumbers(suite.server, 'news', 10);
    publishNumbers(suite.server, 'user:ada:inbox', 10);
    publishNumbers(suite.server, 'user:bob:inbox', 10);
    await expectNumbersInEveryTab(adaTabs, 'user:ada:inbox', 10);
    await expectNumbersInEveryTab(bobTabs, 'user:bob:inbox', 10);
    await expectNumbersInEveryTab([...adaTabs, ...bobTabs], 'news', 10);

    // Switch the first profile to carol: the logout ends ada in all its tabs.
    await adaTabs[0]!.logout();
    await expectSignedOut(suite.server, adaTabs, 'ada');
    for (const tab of adaTabs) {
      await tab.unsubscribe('user:ada:inbox');
      await tab.subscribe('user:carol:inbox');
    }
    const switchedAt = Date.now();
    for (const tab of adaTabs) await tab.login('carol');
    const carolTabs = adaTabs;
    await expectOneStream(suite.server, carolTabs, 'carol');
    expect(suite.server.hub.stats().streamsByUser).toEqual({ bob: 1, carol: 1 });

    publishNumbers(suite.server, 'news', 10, { from: 10 });
    publishNumbers(suite.server, 'user:ada:inbox', 10, { from: 10 });
    publishNumbers(suite.server, 'user:bob:inbox', 10, { from: 10 });
    publishNumbers(suite.server, 'user:carol:inbox', 10);
    await expectNumbersInEveryTab(carolTabs, 'user:carol:inbox', 10);
    await expectNumbersInEveryTab(bobTabs, 'user:bob:inbox', 20);
    await expectNumbersInEveryTab([...carolTabs, ...bobTabs], 'news', 20);

    for (const tab of carolTabs) {
      const events = await tab.events();
      const foreign = events.filter(
        (event) => event.topic.startsWith('user:') && !event.topic.startsWith('user:carol:'),
      );
      // The ada events this tab got while it was ada's: exactly the first ten, none after.
      expect(foreign.map((event) => `${event.topic}#${(event.data as { n: number }).n}`)).toEqual(
        Array.from({ length: 10 }, (_, n) => `user:ada:inbox#${n}`),
      );
      expect(foreign.every((event) => event.at < switchedAt)).toBe(true);
    }
    for (const tab of bobTabs) {
      const topics = new Set((await tab.events()).map((event) => event.topic));
      expect([...topics].sort()).toEqual(['news', 'user:bob:inbox']);
    }
    const carolStreams = suite.server.connectsOf('carol');
    expect(carolStreams.length).toBeGreaterThan(0);
    for (const attempt of carolStreams) {
      expect(attempt.topics).toEqual(['news', 'user:carol:inbox']);
      // A fresh sign-in never resumes from the previous user's position.
      expect(attempt.lastEventId).toBeNull();
    }
  });
});
