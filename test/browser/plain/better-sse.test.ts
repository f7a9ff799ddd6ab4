/**
 * Against a server written with better-sse (no tabcast code, its own port, the page served
 * beside it): named and unnamed events with ids arrive as sent, a dropped stream resumes from
 * Last-Event-ID with nothing lost or twice, `close()` ends the session, and many tabs give the
 * server one session per tab (native) or one in all (shared).
 */
import { describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../support/wait.js';
import { BetterSseEndpoint, type BetterSseEvent } from './support/better-sse-server.js';
import { VARIANTS } from './support/implementations.js';
import { usePlainSuite } from './support/plain-suite.js';

let endpoint: BetterSseEndpoint | undefined;
const suite = usePlainSuite({
  mount: (server) => {
    endpoint = new BetterSseEndpoint(server);
  },
});

function better(): BetterSseEndpoint {
  if (!endpoint) throw new Error('the endpoint is mounted in beforeAll');
  return endpoint;
}

const numbered = (from: number, to: number): BetterSseEvent[] =>
  Array.from({ length: to - from + 1 }, (_, index) => ({
    id: String(from + index),
    data: `n${from + index}`,
    ...((from + index) % 2 === 0 ? { event: 'tick' } : {}),
  }));

const waitForSessions = (connected: number) =>
  waitUntil(
    `${connected} connected better-sse session(s)`,
    () => better().connectedSessions,
    (count) => count === connected,
  );

for (const variant of VARIANTS) {
  describe(variant.name, () => {
    it('named and unnamed events arrive with their ids; a dropped stream resumes: 0 lost, 0 twice; close() ends the session', async () => {
      const tab = await suite.tab(variant);
      const before = better().sessions.length;
      await tab.open('better', better().path, { listen: ['tick'] });
      await waitForSessions(1);

      for (const event of numbered(1, 4)) better().broadcast(event);
      await tab.waitForEntries('better', 'n4', (seen) => seen.some((e) => e.data === 'n4'));
      better().dropAll();
      // Sent while the client is away: only the replay from Last-Event-ID brings them.
      for (const event of numbered(5, 7)) better().broadcast(event);
      await waitUntil(
        'the client to come back',
        () => better().sessions.length - before,
        (count) => count === 2,
      );
      await waitForSessions(1);
      for (const event of numbered(8, 9)) better().broadcast(event);
      const entries = await tab.waitForEntries('better', 'n9', (seen) =>
        seen.some((e) => e.data === 'n9'),
      );

      const delivered = entries.filter((e) => e.type !== 'open' && e.type !== 'error');
      expect(delivered.map((e) => [e.type, e.data, e.lastEventId])).toEqual(
        numbered(1, 9).map((event) => [event.event ?? 'message', event.data, event.id]),
      );
      expect(
        better()
          .sessions.slice(before)
          .map(({ lastId, replayed }) => ({ lastId, replayed })),
      ).toEqual([
        { lastId: '', replayed: 0 },
        { lastId: '4', replayed: 3 },
      ]);

      await tab.close('better');
      await waitForSessions(0);
      expect(better().sessions.every((session) => session.disconnectedAt !== null)).toBe(true);
    });

    it('4 tabs: one session per tab (native) or one in all (shared)', async () => {
      const profile = await suite.newProfile();
      const tabs = await profile.openTabs(4, variant);
      for (const tab of tabs) await tab.open('better', better().path);
      const expected = variant.implementation === 'native' ? tabs.length : 1;
      await waitForSessions(expected);
      better().broadcast({ id: 'x1', data: 'to everyone' });
      for (const tab of tabs) {
        const entries = await tab.waitForEntries('better', 'the broadcast', (seen) =>
          seen.some((e) => e.data === 'to everyone'),
        );
        expect(entries.filter((e) => e.type === 'message')).toHaveLength(1);
      }
      expect(suite.server.maxOpenStreams(better().path)).toBe(expected);
      for (const tab of tabs) await tab.close('better');
      await waitForSessions(0);
      await sleep(200);
      expect(better().connectedSessions).toBe(0);
    });
  });
}
