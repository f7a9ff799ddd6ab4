/**
 * Parity: the same scripted server sequence, one tab, once per implementation, and the records
 * compared (see `support/parity.ts` for the sequence and the format). Native also runs twice,
 * which shows the harness is deterministic: two runs of the same constructor must agree to the
 * last field, with no difference allowed.
 *
 * Also here: the replaying stream the sequence relies on resumes a client with nothing lost and
 * nothing twice, from the header and from the query parameter (a shared source on native
 * EventSource without `lastEventIdParam` starts afresh, as documented); and a 204 ends a source
 * for good.
 */
import { describe, expect, it } from 'vitest';
import {
  NATIVE,
  SHARED_EVENTSOURCE_WITH_PARAM,
  SHARED_VARIANTS,
  VARIANTS,
  type Variant,
} from './support/implementations.js';
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

/** The differences each shared variant is allowed: only those it is documented to have. */
const ALLOWED: Record<string, readonly DocumentedDifference[]> = {
  'shared/eventsource': ['untrustedEvents', 'freshStart', 'statusProbe'],
  'shared/fetch': ['untrustedEvents'],
  'shared/eventsource+param': ['untrustedEvents', 'resumeInQuery', 'statusProbe'],
};
const EVERY_ALLOWANCE = [...new Set(Object.values(ALLOWED).flat())];

/** A replaying stream on `path`, and the variant's tab with a source `key` connected to it. */
async function openOnReplayingStream(variant: Variant, path: string, key: string) {
  const stream = new ReplayingStream({ retryMs: 50 });
  suite.server.route(path, stream.route);
  const tab = await suite.tab(variant);
  await tab.open(key, path);
  await suite.server.waitForRequests(path, (requests) => requests.length === 1);
  return { stream, tab };
}

/** Where a variant names its resume point on a reconnect: none for native EventSource alone. */
function resumeViaOf(variant: Variant): 'header' | 'query' | null {
  if (variant.init.transport !== 'eventsource') return 'header';
  return variant.init.lastEventIdParam ? 'query' : null;
}

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
      expect(() => expectParity(reference, candidate, EVERY_ALLOWANCE)).toThrow();
    }
    // Each allowance hides its own difference, and only that one.
    const untrusted: ParityRecord = {
      ...reference,
      client: reference.client.map((step) => ({ ...step, isTrusted: false })),
    };
    expect(() => expectParity(reference, untrusted)).toThrow();
    expectParity(reference, untrusted, ['untrustedEvents']);
  });

  for (const variant of [...SHARED_VARIANTS, SHARED_EVENTSOURCE_WITH_PARAM]) {
    it(`${variant.name} records what native records, but for ${ALLOWED[variant.name]!.join(', ')}`, async () => {
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
      expectParity(native, shared, ALLOWED[variant.name]);
    });
  }
});

describe('resuming from the replaying stream', () => {
  for (const variant of [...VARIANTS, SHARED_EVENTSOURCE_WITH_PARAM]) {
    // Native EventSource cannot send Last-Event-ID on a new connection: with the eventsource
    // transport and no lastEventIdParam a reconnect starts afresh (docs/recipes/plain.md).
    const via = resumeViaOf(variant);
    const title = via
      ? `a dropped stream resumes from the last id (${via === 'header' ? 'Last-Event-ID' : 'query parameter'}): 0 lost, 0 twice`
      : 'a dropped stream starts afresh (documented): what was sent meanwhile is not replayed, nothing twice';
    it(`${variant.name}: ${title}`, async () => {
      const path = `/resume/header-${variant.name}`;
      const { stream, tab } = await openOnReplayingStream(variant, path, 'resume');
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
      const numbers = entries.filter((e) => e.type === 'message').map((e) => Number(e.data));
      const sent = Array.from({ length: 12 }, (_, index) => index + 1);
      expect(numbers).toEqual(via ? sent : sent.filter((n) => n <= 5 || n > 10));
      expect(
        stream.connects.map(({ resumeFrom, resumeVia, replayed }) => ({
          resumeFrom,
          resumeVia,
          replayed,
        })),
      ).toEqual([
        { resumeFrom: null, resumeVia: null, replayed: 0 },
        via
          ? { resumeFrom: '5', resumeVia: via, replayed: 5 }
          : { resumeFrom: null, resumeVia: null, replayed: 0 },
      ]);
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

describe('the end of a stream', () => {
  for (const variant of VARIANTS) {
    // Native EventSource hides the status of a failed connect; the eventsource transport learns it
    // by asking again (docs/recipes/plain.md), so a server that answers the second time with a
    // stream is taken at that word: documented, and asserted as such.
    const probed = variant.name === 'shared/eventsource';
    it(`${variant.name}: a 204 answered once ${probed ? 'is asked again (the status probe) and the stream comes back' : 'closes the source for good, whatever the server would answer next'}`, async () => {
      const { stream, tab } = await openOnReplayingStream(
        variant,
        `/end/once-${variant.name}`,
        'end',
      );
      // A 204 to the next connect only: a server that answers a later one anew.
      stream.answerNext(204);
      stream.endStreams();
      const entries = probed
        ? await tab.waitForEntries(
            'end',
            'open again',
            (seen) => seen.filter((entry) => entry.type === 'open').length === 2,
          )
        : await tab.waitUntilClosed('end', { timeout: 2_000 });
      expect(entries.map(({ type, readyState }) => [type, readyState])).toEqual(
        probed
          ? // The end of the stream, then the attempt the 204 failed: an error each, as natively.
            [
              ['open', 1],
              ['error', 0],
              ['error', 0],
              ['open', 1],
            ]
          : [
              ['open', 1],
              ['error', 0],
              ['error', 2],
            ],
      );
    });
  }
});
