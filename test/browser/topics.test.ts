/**
 * The leader's one stream carries the union of every tab's topics: a topic only a follower
 * wants still reaches the server, and its events reach that follower.
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

describe('a topic only a follower subscribes to', () => {
  it('joins the leader’s stream, reaches that follower, and leaves with it', async () => {
    const browser = await suite.newProfile();
    const tabs = await browser.openTabs(3, { user: 'ada', topics: ['news'] });
    const leader = await expectOneStream(suite.server, tabs, 'ada');
    const [follower, bystander] = tabs.filter((tab) => tab !== leader);

    await follower!.subscribe('desk:7');
    await waitUntil(
      'desk:7 in the one stream',
      () => suite.server.hub.stats(),
      (stats) => stats.streamsByTopic['desk:7'] === 1 && stats.openStreams === 1,
    );
    await expectOneStream(suite.server, tabs, 'ada');
    const latest = suite.server.connectsOf('ada').at(-1)!;
    expect(latest.topics).toEqual(['desk:7', 'news']);
    expect(latest.clientId, 'the leader reconnected with the new topics').toBe(
      suite.server.connectsOf('ada')[0]!.clientId,
    );

    publishNumbers(suite.server, 'desk:7', 10);
    publishNumbers(suite.server, 'news', 10);
    await expectNumbersInEveryTab([follower!], 'desk:7', 10);
    await expectNumbersInEveryTab(tabs, 'news', 10);
    expect(await leader.events('desk:7'), 'the leader has no subscriber of desk:7').toEqual([]);
    expect(await bystander!.events('desk:7')).toEqual([]);

    // A tab that opens with its own topic brings it along too.
    const latecomer = await browser.openTab({ user: 'ada', topics: ['news', 'desk:9'] });
    await waitUntil(
      'desk:9 in the one stream',
      () => suite.server.hub.stats(),
      (stats) => stats.streamsByTopic['desk:9'] === 1 && stats.openStreams === 1,
    );
    publishNumbers(suite.server, 'desk:9', 5);
    await expectNumbersInEveryTab([latecomer], 'desk:9', 5);

    // The last subscriber leaves: the stream drops the topic.
    await follower!.unsubscribe('desk:7');
    await latecomer.close();
    await waitUntil(
      'only news in the one stream',
      () => suite.server.hub.stats(),
      (stats) => stats.openStreams === 1 && Object.keys(stats.streamsByTopic).join() === 'news',
    );
    await expectOneStream(suite.server, browser.tabs, 'ada');
  });
});

describe('a topic the server forbids, asked for by one follower', () => {
  // The wire contract: a 403 puts the scope's stream in `failed` (a new token would not help).
  // A different topic set deserves a new try, so dropping the topic brings every tab back.
  it('fails the one stream, and unsubscribing it brings every tab back', async () => {
    const browser = await suite.newProfile();
    const tabs = await browser.openTabs(3, { user: 'ada', topics: ['news'] });
    const leader = await expectOneStream(suite.server, tabs, 'ada');
    const follower = tabs.find((tab) => tab !== leader)!;

    await follower.subscribe('user:bob:inbox');
    await waitUntil(
      'every tab failed with forbidden',
      () => Promise.all(tabs.map((tab) => tab.status())),
      (statuses) =>
        statuses.every((status) => status.phase === 'failed' && status.error?.code === 'forbidden'),
    );
    expect(suite.server.connectsOf('ada').at(-1)).toMatchObject({
      status: 403,
      topics: ['news', 'user:bob:inbox'],
    });
    expect(suite.server.hub.stats().openStreams).toBe(0);

    await follower.unsubscribe('user:bob:inbox');
    await expectOneStream(suite.server, tabs, 'ada');
    expect(suite.server.connectsOf('ada').at(-1)).toMatchObject({ status: 200, topics: ['news'] });
    publishNumbers(suite.server, 'news', 5);
    await expectNumbersInEveryTab(tabs, 'news', 5);
  });
});
