/**
 * Against a server written with better-sse (no tabcast code, its own port, the page served
 * beside it): named and unnamed events with ids arrive as sent, a dropped stream resumes from
 * Last-Event-ID with nothing lost or twice (a shared source on native EventSource without
 * `lastEventIdParam` starts afresh, as documented), `close()` ends the session, and many tabs give
 * the server one session per tab (native) or one in all (shared), which survives its leader tab.
 */
import { describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../support/wait.js';
import { BetterSseEndpoint, type BetterSseEvent } from './support/better-sse-server.js';
import {
  SHARED_EVENTSOURCE_WITH_PARAM,
  VARIANTS,
  type Variant,
} from './support/implementations.js';
import type { SourceEntry } from './support/page-api.js';
import type { PlainTab } from './support/plain-browser.js';
import { usePlainSuite } from './support/plain-suite.js';

const suite = usePlainSuite();

const numbered = (from: number, to: number): BetterSseEvent[] =>
  Array.from({ length: to - from + 1 }, (_, index) => ({
    id: String(from + index),
    data: `n${from + index}`,
    ...((from + index) % 2 === 0 ? { event: 'tick' } : {}),
  }));

/** The events as a source dispatches them: type, data, lastEventId. */
const asDispatched = (events: BetterSseEvent[]) =>
  events.map((event) => [event.event ?? 'message', event.data, event.id]);

const dispatched = (entries: SourceEntry[]) =>
  entries
    .filter((entry) => entry.type !== 'open' && entry.type !== 'error')
    .map((entry) => [entry.type, entry.data, entry.lastEventId]);

const waitForSessions = (endpoint: BetterSseEndpoint, connected: number) =>
  waitUntil(
    `${connected} connected better-sse session(s)`,
    () => endpoint.connectedSessions,
    (count) => count === connected,
  );

/**
 * Whether a variant's reconnect names where it stands. Native EventSource cannot send
 * Last-Event-ID on a new connection: with the eventsource transport and no lastEventIdParam a
 * reconnect starts afresh (docs/recipes/plain.md).
 */
const resumesOf = (variant: Variant) =>
  variant.init.transport !== 'eventsource' || Boolean(variant.init.lastEventIdParam);

/** A fresh endpoint for one test of `variant`. */
const endpointFor = (variant: Variant, test: string) =>
  new BetterSseEndpoint(suite.server, `/better/${variant.name}/${test}`);

/** Waits until `tab`'s source got the event with `data`; returns what it dispatched. */
async function dispatchedUntil(tab: PlainTab, data: string) {
  const entries = await tab.waitForEntries('better', data, (seen) =>
    seen.some((entry) => entry.data === data),
  );
  return dispatched(entries);
}

for (const variant of [...VARIANTS, SHARED_EVENTSOURCE_WITH_PARAM]) {
  const resumes = resumesOf(variant);
  describe(variant.name, () => {
    it(`named and unnamed events arrive with their ids; a dropped stream ${resumes ? 'resumes: 0 lost' : 'starts afresh (documented): what was sent meanwhile is not replayed'}, 0 twice; close() ends the session`, async () => {
      const better = endpointFor(variant, 'resume');
      const tab = await suite.tab(variant);
      await tab.open('better', better.path, { listen: ['tick'] });
      await waitForSessions(better, 1);

      for (const event of numbered(1, 4)) better.broadcast(event);
      await dispatchedUntil(tab, 'n4');
      better.dropAll();
      // Sent while the client is away: only the replay from Last-Event-ID brings them.
      for (const event of numbered(5, 7)) better.broadcast(event);
      await waitUntil(
        'the client to come back',
        () => better.sessions.length,
        (count) => count === 2,
      );
      await waitForSessions(better, 1);
      for (const event of numbered(8, 9)) better.broadcast(event);

      const missed = resumes ? [] : numbered(5, 7).map((event) => event.id);
      expect(await dispatchedUntil(tab, 'n9')).toEqual(
        asDispatched(numbered(1, 9).filter((event) => !missed.includes(event.id))),
      );
      expect(better.sessions.map(({ lastId, replayed }) => ({ lastId, replayed }))).toEqual([
        { lastId: '', replayed: 0 },
        resumes ? { lastId: '4', replayed: 3 } : { lastId: '', replayed: 0 },
      ]);

      await tab.close('better');
      await waitForSessions(better, 0);
      expect(better.sessions.every((session) => session.disconnectedAt !== null)).toBe(true);
    });

    // One tab leading is what a shared variant is: the parameter variant adds nothing here.
    if (variant === SHARED_EVENTSOURCE_WITH_PARAM) return;

    it(`4 tabs: one session per tab (native) or one in all (shared); the ${variant.implementation === 'native' ? 'first tab crashes, the others keep theirs' : 'leader tab crashes, the next one takes over'}; close() in every tab ends it`, async () => {
      const better = endpointFor(variant, 'tabs');
      const profile = await suite.newProfile();
      const tabs = await profile.openTabs(4, variant);
      for (const tab of tabs) await tab.open('better', better.path, { listen: ['tick'] });
      const perTab = variant.implementation === 'native';
      const sessions = perTab ? tabs.length : 1;
      await waitForSessions(better, sessions);
      for (const event of numbered(1, 4)) better.broadcast(event);
      for (const tab of tabs) {
        expect(await dispatchedUntil(tab, 'n4'), tab.name).toEqual(asDispatched(numbered(1, 4)));
      }
      expect(suite.server.maxOpenStreams(better.path)).toBe(sessions);

      // The first tab opened its source first: with a shared source it leads, and its session
      // ends with it. Events sent before the next leader's connect is answered can only come by
      // the replay.
      const release = better.holdConnects();
      const [first, ...survivors] = tabs as [PlainTab, ...PlainTab[]];
      await profile.crash(first);
      await waitForSessions(better, perTab ? sessions - 1 : 0);
      for (const event of numbered(5, 7)) better.broadcast(event);
      release();
      await waitForSessions(better, perTab ? sessions - 1 : 1);
      for (const event of numbered(8, 9)) better.broadcast(event);
      // Native: the others' sessions never ended. Shared: the next leader resumes, or (native
      // EventSource without lastEventIdParam) starts afresh.
      const missed = perTab || resumesOf(variant) ? [] : numbered(5, 7).map((event) => event.id);
      for (const tab of survivors) {
        expect(await dispatchedUntil(tab, 'n9'), tab.name).toEqual(
          asDispatched(numbered(1, 9).filter((event) => !missed.includes(event.id))),
        );
      }
      const takeover = better.sessions.slice(perTab ? tabs.length : 1);
      expect(takeover.map(({ lastId, replayed }) => ({ lastId, replayed }))).toEqual(
        perTab
          ? []
          : [resumesOf(variant) ? { lastId: '4', replayed: 3 } : { lastId: '', replayed: 0 }],
      );
      expect(suite.server.maxOpenStreams(better.path)).toBe(sessions);

      for (const tab of survivors) await tab.close('better');
      await waitForSessions(better, 0);
      await sleep(200);
      expect(better.connectedSessions).toBe(0);
    });
  });
}
