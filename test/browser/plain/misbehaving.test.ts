/**
 * Servers that misbehave: what each variant ends up doing against each, after the server has
 * written all it will and the client has been watched for a while. The expectations are data
 * (`support/expectations.ts`): native's were measured here, the shared variants' follow from the
 * documented behaviour (docs/recipes/plain.md) and the code, each with its reason. Last, what
 * one misbehaving URL does to a source of another.
 */
import { describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../support/wait.js';
import {
  MISBEHAVIOUR_EXPECTATIONS,
  type MisbehaviourOutcome,
  type RepeatedEvents,
} from './support/expectations.js';
import { VARIANTS } from './support/implementations.js';
import { MISBEHAVIOURS, MisbehavingRoutes } from './support/misbehaving.js';
import { usePlainSuite } from './support/plain-suite.js';

let routes: MisbehavingRoutes | undefined;
const suite = usePlainSuite({
  mount: (server) => {
    routes = new MisbehavingRoutes(server);
  },
});

/**
 * `events` as `expected` has them: as a cycle, when `expected` is one and `events` repeat it
 * (`atLeast` then counts the full cycles seen, up to the one asked for); as they are otherwise.
 */
function asExpected(events: string[], expected: MisbehaviourOutcome['events']) {
  if (Array.isArray(expected)) return events;
  const { cycle, atLeast }: RepeatedEvents = expected;
  const repeats = events.every((type, index) => type === cycle[index % cycle.length]);
  const full = Math.floor(events.length / cycle.length);
  return repeats ? { cycle, atLeast: Math.min(full, atLeast) } : events;
}

for (const variant of VARIANTS) {
  describe(variant.name, () => {
    for (const misbehaviour of MISBEHAVIOURS) {
      const { expected, watchMs, note, init } =
        MISBEHAVIOUR_EXPECTATIONS[variant.name]![misbehaviour];
      it(`${misbehaviour}: ${note}`, async () => {
        const tab = await suite.tab(variant);
        const base = MisbehavingRoutes.urlOf(misbehaviour);
        const url = `${base}${base.includes('?') ? '&' : '?'}variant=${variant.name}`;
        await tab.open('source', url, init ? { init } : {});
        await waitUntil(
          'the server to have written all it will',
          () => [...routes!.finished].some((request) => request.url === url),
          (finished) => finished,
          { timeout: 30_000 },
        );
        // A tab on a loaded machine may still be parsing (a 10 MiB event): what is expected
        // is given time to arrive before the watch for anything more begins.
        if (Array.isArray(expected.events)) {
          const count = expected.events.length;
          await waitUntil(
            'the expected events',
            () => tab.entries('source'),
            (seen) => seen.length >= count,
            { timeout: 10_000 },
          ).catch(() => {});
        }
        await sleep(watchMs);
        const entries = await tab.entries('source');
        const readyState = await tab.readyState('source');
        const requests = suite.server.requests.filter((request) => request.url === url).length;
        const outcome: MisbehaviourOutcome = {
          readyState:
            expected.readyState === 'not closed' && readyState !== 2
              ? 'not closed'
              : (readyState as 0 | 1 | 2),
          events: asExpected(
            entries.map((entry) => entry.type),
            expected.events,
          ),
          messageLengths: entries.flatMap((entry) =>
            entry.dataLength === undefined ? [] : [entry.dataLength],
          ),
          // `{ atLeast: n }` is met by n or more requests; fewer show as the count seen.
          requests:
            typeof expected.requests === 'number'
              ? requests
              : { atLeast: Math.min(requests, expected.requests.atLeast) },
        };
        expect(outcome).toEqual(expected);
      });
    }
  });
}

describe('one misbehaving URL among others', () => {
  for (const variant of VARIANTS) {
    it(`${variant.name}: a 401 on one URL fails that source; another URL's stays open`, async () => {
      const tab = await suite.tab(variant);
      await tab.open('quiet', `/bad/silent?variant=${variant.name}&beside=401`);
      await tab.waitForEntries('quiet', 'open', (seen) => seen.length > 0);
      await tab.open('refused', `/bad/status?code=401&variant=${variant.name}&beside=silent`);
      await tab.waitUntilClosed('refused');
      // Let a sign-out reach the other source, if there is one.
      await sleep(300);
      expect(await tab.entries('quiet')).toMatchObject([{ type: 'open', readyState: 1 }]);
      expect(await tab.readyState('quiet')).toBe(1);
    });
  }
});
