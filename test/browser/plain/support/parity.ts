/**
 * The parity harness: one tab, one source, one scripted server sequence; what the tab saw and
 * what the server saw are written down as a `ParityRecord`, so that a run with the native
 * EventSource and a run with SharedEventSource can be compared step by step, allowing only the
 * differences named in `DOCUMENTED_DIFFERENCES`.
 *
 * The sequence (`runParityScenario`): the stream opens; an unnamed event with an id, a named
 * `tick` with an id, one of each without an id, an unnamed one with an id; the server ends the
 * stream; the client reconnects (resuming from the last id); two events with ids and one
 * without; the server ends it again; every later connect is answered 204, which ends it for good.
 */
import { expect } from 'vitest';
import { waitUntil } from '../../support/wait.js';
import type { SourceEntry } from './page-api.js';
import type { PlainTab } from './plain-browser.js';
import type { PlainServer } from './plain-server.js';
import { ReplayingStream, type StreamEvent } from './replaying-stream.js';

/** One event the tab's source dispatched, as parity compares it. */
export interface ClientStep {
  type: string;
  /** `readyState` sampled inside the listener. */
  readyState: number;
  data?: string;
  lastEventId?: string;
  origin?: string;
  isTrusted: boolean;
}

/** One request the server answered. */
export interface ServerStep {
  /** The resume point the request named (header or query parameter), or null. */
  resumeFrom: string | null;
  /** Where it was named: the `Last-Event-ID` header, or the query parameter. */
  resumeVia: 'header' | 'query' | null;
  status: number;
  /** Events the server sent again from its history: a resumed client must miss none. */
  replayed: number;
}

export interface ParityRecord {
  client: ClientStep[];
  server: ServerStep[];
}

function clientStep(entry: SourceEntry): ClientStep {
  const step: ClientStep = {
    type: entry.type,
    readyState: entry.readyState,
    isTrusted: entry.isTrusted,
  };
  if (entry.data !== undefined) step.data = entry.data;
  if (entry.lastEventId !== undefined) step.lastEventId = entry.lastEventId;
  if (entry.origin !== undefined) step.origin = entry.origin;
  return step;
}

/** Unnamed and named events, with and without ids, the last one with an id. */
export const MIXED_EVENTS: readonly StreamEvent[] = [
  { id: '1', data: 'a' },
  { event: 'tick', id: '2', data: 'b' },
  { data: 'c' },
  { event: 'tick', data: 'd' },
  { id: '3', data: 'e' },
];

const SECOND_STREAM: StreamEvent[] = [
  { id: '4', data: 'f' },
  { event: 'tick', id: '5', data: 'g' },
  { data: 'h' },
];

/**
 * Runs the scripted sequence on `path` (a path of its own per run) for `tab`, and returns the
 * record. Each step waits for an outcome (a connect, a delivery), never for a fixed time.
 */
export async function runParityScenario(
  tab: PlainTab,
  server: PlainServer,
  path: string,
): Promise<ParityRecord> {
  const stream = new ReplayingStream({ retryMs: 50 });
  server.route(path, stream.route);
  const key = `parity ${path}`;
  await tab.open(key, path, { listen: ['tick'] });
  const delivered = (data: string) =>
    tab.waitForEntries(key, `"${data}" delivered`, (seen) => seen.some((e) => e.data === data));

  await server.waitForRequests(path, (requests) => requests.length === 1);
  await waitForOpenStream(stream, 1);
  for (const event of MIXED_EVENTS) stream.publish(event);
  await delivered('e');
  stream.endStreams();

  await server.waitForRequests(path, (requests) => requests.length === 2);
  await waitForOpenStream(stream, 1);
  for (const event of SECOND_STREAM) stream.publish(event);
  await delivered('h');
  // A server done with the stream answers 204 from then on (to a status probe too).
  stream.answerFromNowOn(204);
  stream.endStreams();

  const entries = await tab.waitUntilClosed(key);
  return {
    client: entries.map(clientStep),
    server: stream.connects.map(({ resumeFrom, resumeVia, status, replayed }) => ({
      resumeFrom,
      resumeVia,
      status,
      replayed,
    })),
  };
}

async function waitForOpenStream(stream: ReplayingStream, count: number): Promise<void> {
  await waitUntil(
    `${count} open stream(s)`,
    () => stream.openStreams,
    (open) => open === count,
  );
}

/** What the native EventSource records for the sequence, on a page of `origin`. */
export function nativeParityRecord(origin: string): ParityRecord {
  const open = { type: 'open', readyState: 1, isTrusted: true };
  const event = (type: string, data: string, lastEventId: string) => ({
    type,
    readyState: 1,
    data,
    lastEventId,
    origin,
    isTrusted: true,
  });
  return {
    client: [
      open,
      event('message', 'a', '1'),
      event('tick', 'b', '2'),
      event('message', 'c', '2'),
      event('tick', 'd', '2'),
      event('message', 'e', '3'),
      { type: 'error', readyState: 0, isTrusted: true },
      open,
      event('message', 'f', '4'),
      event('tick', 'g', '5'),
      event('message', 'h', '5'),
      { type: 'error', readyState: 0, isTrusted: true },
      { type: 'error', readyState: 2, isTrusted: true },
    ],
    server: [
      { resumeFrom: null, resumeVia: null, status: 200, replayed: 0 },
      { resumeFrom: '3', resumeVia: 'header', status: 200, replayed: 0 },
      { resumeFrom: '5', resumeVia: 'header', status: 204, replayed: 0 },
    ],
  };
}

/**
 * The differences from native that SharedEventSource is documented (or expected) to have, each
 * with the normalisation that hides exactly that difference and nothing else.
 */
export const DOCUMENTED_DIFFERENCES = {
  /** Events dispatched by script (relayed from the leader tab) have `isTrusted` false. */
  untrustedEvents: (record: ParityRecord): ParityRecord => ({
    ...record,
    client: record.client.map((step) => ({ ...step, isTrusted: true })),
  }),
  /**
   * Native EventSource cannot send `Last-Event-ID` on a new connection: with the `eventsource`
   * transport and no `lastEventIdParam`, a reconnect names no resume point (it starts afresh,
   * and the server replays nothing; `replayed` is still compared).
   */
  freshStart: (record: ParityRecord): ParityRecord => ({
    ...record,
    server: record.server.map((step) => ({ ...step, resumeFrom: null, resumeVia: null })),
  }),
  /**
   * Native EventSource hides a failed connect's status, so the `eventsource` transport asks once
   * more with fetch (docs/architecture.md): a request that repeats a refused one, resume point
   * and answer alike, is that probe.
   */
  statusProbe: (record: ParityRecord): ParityRecord => ({
    ...record,
    server: record.server.filter((step, index) => {
      const before = record.server[index - 1];
      return !(
        before !== undefined &&
        before.status !== 200 &&
        step.status === before.status &&
        step.resumeFrom === before.resumeFrom &&
        step.replayed === before.replayed
      );
    }),
  }),
  /**
   * A client that cannot set headers (the `eventsource` transport with `lastEventIdParam`) names
   * the resume point in the query parameter instead of `Last-Event-ID`: the same point, elsewhere.
   */
  resumeInQuery: (record: ParityRecord): ParityRecord => ({
    ...record,
    server: record.server.map((step) =>
      step.resumeVia === 'query' ? { ...step, resumeVia: 'header' } : step,
    ),
  }),
} as const;

export type DocumentedDifference = keyof typeof DOCUMENTED_DIFFERENCES;

/** Normalises both records by the allowed differences, then requires them to be equal. */
export function expectParity(
  reference: ParityRecord,
  candidate: ParityRecord,
  allowed: readonly DocumentedDifference[] = [],
): void {
  const normalise = (record: ParityRecord) =>
    allowed.reduce((current, name) => DOCUMENTED_DIFFERENCES[name](current), record);
  expect(normalise(candidate)).toEqual(normalise(reference));
}
