/**
 * Servers that misbehave: what each variant ends up doing against each, after the server has
 * written all it will and the client has been watched for a while. The expectations are data
 * (`support/expectations.ts`): native's were measured here; the shared variants' run as
 * `it.todo` until they are filled in.
 */
import { describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../support/wait.js';
import { MISBEHAVIOUR_EXPECTATIONS, type MisbehaviourOutcome } from './support/expectations.js';
import { VARIANTS } from './support/implementations.js';
import { MISBEHAVIOURS, MisbehavingRoutes } from './support/misbehaving.js';
import { usePlainSuite } from './support/plain-suite.js';

let routes: MisbehavingRoutes | undefined;
const suite = usePlainSuite({
  mount: (server) => {
    routes = new MisbehavingRoutes(server);
  },
});

for (const variant of VARIANTS) {
  describe(variant.name, () => {
    for (const misbehaviour of MISBEHAVIOURS) {
      const expectation = MISBEHAVIOUR_EXPECTATIONS[variant.name]![misbehaviour];
      const title = `${misbehaviour}: ${expectation.note}`;
      if (!expectation.expected) {
        it.todo(title);
        continue;
      }
      const expected = expectation.expected;
      it(title, async () => {
        const tab = await suite.tab(variant);
        const base = MisbehavingRoutes.urlOf(misbehaviour);
        const url = `${base}${base.includes('?') ? '&' : '?'}variant=${variant.name}`;
        await tab.open('source', url);
        // Until the server has said all it will, or the client has given up.
        await waitUntil(
          'the server to finish, or the source to close',
          async () => ({
            finished: [...routes!.finished].some((request) => request.url === url),
            answered: suite.server.requests.some((r) => r.url === url && r.closedAt !== null),
            readyState: await tab.readyState('source'),
          }),
          (seen) => seen.finished || (seen.answered && seen.readyState === 2),
          { timeout: 30_000 },
        );
        await sleep(expectation.watchMs);
        const entries = await tab.entries('source');
        const requests = suite.server.requests.filter((request) => request.url === url).length;
        const outcome: MisbehaviourOutcome = {
          readyState: (await tab.readyState('source')) as MisbehaviourOutcome['readyState'],
          events: entries.map((entry) => entry.type),
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
