/**
 * Parity: the same scripted server sequence, one tab, once per implementation, and the records
 * compared (see `support/parity.ts` for the sequence and the format). Native also runs twice,
 * which shows the harness is deterministic: two runs of the same constructor must agree to the
 * last field, with no difference allowed.
 *
 * Also here: the replaying stream the sequence relies on resumes a client with nothing lost and
 * nothing twice, from the header and from the query parameter.
 */
import { describe, expect, it } from 'vitest';
import { NATIVE, SHARED_VARIANTS, VARIANTS } from './support/implementations.js';
import {
  type DocumentedDifference,
  expectParity,
  nativeParityRecord,
  type ParityRecord,
  runParityScenario,
} from './support/parity.js';
import { usePlainSuite } from './support/plain-suite.js';
import { ReplayingStream } from './support/replaying-stream.js';

const suite = usePlainSuite();

/**
 * The differences each shared variant is allowed. Remove a name once SharedEventSource is shown
 * not to need it.
 */
const ALLOWED_FOR_SHARED: readonly DocumentedDifference[] = [
  'untrustedEvents',
  'extraReconnectAttempts',
  'resumeInQuery',
];

describe('parity harness', () => {
  it('native, run twice, records the same sequence, and the one expected', async () => {
    const first = await runParityScenario(await suite.tab(NATIVE), suite.server, '/parity/first');
    const second = await runParityScenario(await suite.tab(NATIVE), suite.server, '/parity/second');
    expectParity(first, second);
    expect(first).toEqual(nativeParityRecord(suite.server.origin));
  });

  it('the comparison fails on a lost event, a wrong state, or a second request', () => {
    const reference = nativeParityRecord('http://127.0.0.1:1');
    const lost: ParityRecord = {
      ...reference,
      client: reference.client.filter((_, index) => index !== 3),
    };
    const wrongState: ParityRecord = {
      ...reference,
      client: reference.client.map((step, index) =>
        index === 6 ? { ...step, readyState: 2 } : step,
      ),
    };
    const extraRequest: ParityRecord = {
      ...reference,
      server: [...reference.server, reference.server[0]!],
    };
    for (const candidate of [lost, wrongState, extraRequest]) {
      expect(() => expectParity(reference, candidate, ALLOWED_FOR_SHARED)).toThrow();
    }
    // Each allowance hides its own difference, and only that one.
    const untrusted: ParityRecord = {
      ...reference,
      client: reference.client.map((step) => ({ ...step, isTrusted: false })),
    };
    expect(() => expectParity(reference, untrusted)).toThrow();
    expectParity(reference, untrusted, ['untrustedEvents']);
  });

  for (const variant of SHARED_VARIANTS) {
    it(`${variant.name} records what native records, but for the documented differences`, async () => {
      const native = await runParityScenario(
        await suite.tab(NATIVE),
        suite.server,
        `/parity/native-for-${variant.name}`,
      );
      const shared = await runParityScenario(
        await suite.tab(variant),
        suite.server,
        `/parity/${variant.name}`,
      );
      expectParity(native, shared, ALLOWED_FOR_SHARED);
    });
  }
});

describe('resuming from the replaying stream', () => {
  for (const variant of VARIANTS) {
    it(`${variant.name}: a dropped stream resumes from Last-Event-ID: 0 lost, 0 twice`, async () => {
      const stream = new ReplayingStream({ retryMs: 50 });
      const path = `/resume/header-${variant.name}`;
      suite.server.route(path, stream.route);
      const tab = await suite.tab(variant);
      await tab.open('resume', path);
      await suite.server.waitForRequests(path, (requests) => requests.length === 1);
      const publish = (from: number, to: number) => {
        for (let n = from; n <= to; n += 1) stream.publish({ id: String(n), data: String(n) });
      };
      publish(1, 5);
      await tab.waitForEntries('resume', 'event 5', (seen) => seen.some((e) => e.data === '5'));
      // Published while the client is away: only the replay can bring them.
      stream.dropStreams();
      publish(6, 10);
      await suite.server.waitForRequests(path, (requests) => requests.length === 2);
      publish(11, 12);
      const entries = await tab.waitForEntries('resume', 'event 12', (seen) =>
        seen.some((e) => e.data === '12'),
      );
      const numbers = entries.filter((e) => e.type === 'message').map((e) => e.data);
      expect(numbers).toEqual(Array.from({ length: 12 }, (_, index) => String(index + 1)));
      expect(stream.connects.map(({ resumeFrom, replayed }) => ({ resumeFrom, replayed }))).toEqual(
        [
          { resumeFrom: null, replayed: 0 },
          { resumeFrom: '5', replayed: 5 },
        ],
      );
    });
  }

  it('the resume point in a query parameter (its name configurable) is honoured too', async () => {
    const stream = new ReplayingStream({ resumeParam: 'since' });
    suite.server.route('/resume/query', stream.route);
    for (let n = 1; n <= 4; n += 1) stream.publish({ id: String(n), data: String(n) });
    const tab = await suite.tab(NATIVE);
    await tab.open('resume', '/resume/query?since=2');
    const entries = await tab.waitForEntries('resume', 'events 3 and 4', (seen) =>
      seen.some((e) => e.data === '4'),
    );
    expect(entries.filter((e) => e.type === 'message').map((e) => e.data)).toEqual(['3', '4']);
    expect(stream.connects[0]).toMatchObject({ resumeFrom: '2', resumeVia: 'query', replayed: 2 });
  });
});
