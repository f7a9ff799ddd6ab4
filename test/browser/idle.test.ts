/**
 * Nothing to stream, nothing requested (issue 9): the README's React pattern logs in at start
 * and subscribes later. The leader used to ask the companion for `?topics=`, get 400
 * `invalid_topics`, and show `failed` in every tab until a subscription came.
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

describe.each(['eventsource', 'fetch'] as const)(
  'a login before any subscription (%s)',
  (transport) => {
    it('makes no request for 2 s, says idle, and the first subscription opens one stream', async () => {
      const browser = await suite.newProfile();
      const since = Date.now();
      const tabs = await browser.openTabs(2, { user: 'ada', transport, topics: [] });
      await waitUntil(
        'both tabs idle, one leading',
        () => Promise.all(tabs.map((tab) => tab.status())),
        (statuses) =>
          statuses.every((status) => status.phase === 'idle') &&
          statuses.filter((status) => status.role === 'leader').length === 1,
      );
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(suite.server.connectsOf('ada', since)).toEqual([]);
      expect((await Promise.all(tabs.map((tab) => tab.status()))).map((s) => s.phase)).toEqual([
        'idle',
        'idle',
      ]);

      const follower = (
        await Promise.all(tabs.map(async (tab) => [tab, await tab.status()] as const))
      ).find(([, status]) => status.role === 'follower')![0];
      await follower.subscribe('news');
      await expectOneStream(suite.server, tabs, 'ada');
      const connects = suite.server.connectsOf('ada', since);
      expect(connects.map((attempt) => [attempt.status, attempt.topics])).toEqual([
        [200, ['news']],
      ]);
      publishNumbers(suite.server, 'news', 5);
      await expectNumbersInEveryTab([follower], 'news', 5);

      // The last subscription ends: the stream goes, every tab says idle again.
      await follower.unsubscribe('news');
      await waitUntil(
        'no stream, every tab idle',
        async () => ({
          streams: suite.server.hub.stats().streamsByUser.ada ?? 0,
          phases: (await Promise.all(tabs.map((tab) => tab.status()))).map((s) => s.phase),
        }),
        ({ streams, phases }) => streams === 0 && phases.every((phase) => phase === 'idle'),
      );
      expect(suite.server.connectsOf('ada', since)).toHaveLength(1);
    });
  },
);
