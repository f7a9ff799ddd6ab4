/**
 * Three Node processes behind one hub on Redis: a publish storm from all three at once reaches
 * a stream on each in one order (each source's own order kept, nothing lost or twice), the
 * stream replays it after Last-Event-ID on any process, and a process that dies frees its
 * streams once its lease runs out.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type SseFrame, SseReader } from '../server/sse-reader.js';
import { startHubProcesses } from './support/processes.js';
import { RedisServer } from './support/redis-server.js';

let redis: RedisServer;

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.stop();
});

const STORM = 1_000;
const SOURCES = ['a', 'b', 'c'] as const;

async function openStream(origin: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(`${origin}/events?topics=storm`, {
    headers: { 'x-user': 'ada', ...headers },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  const reader = new SseReader(response.body!);
  await reader.next();
  return { reader, close: () => controller.abort() };
}

async function readEvents(reader: SseReader, count: number): Promise<SseFrame[]> {
  const events: SseFrame[] = [];
  while (events.length < count) {
    const frame = await reader.next(15_000);
    if (frame.event === 'tick' || frame.data === '{"type":"reset"}') events.push(frame);
  }
  return events;
}

function expectOneOrderEverywhere(events: SseFrame[]): void {
  const ids = events.map((event) => Number(event.id));
  expect(new Set(ids).size, 'no event twice').toBe(ids.length);
  expect(
    ids.every((id, index) => index === 0 || id > ids[index - 1]!),
    'ids strictly increasing',
  ).toBe(true);
  for (const source of SOURCES) {
    const numbers = events
      .map((event) => JSON.parse(event.data!).data)
      .filter((data: { source: string }) => data.source === source)
      .map((data: { n: number }) => data.n);
    expect(numbers, `events of source ${source}, in its order`).toEqual(
      Array.from({ length: STORM }, (_, n) => n),
    );
  }
}

describe('three processes on one Redis', () => {
  it('a publish storm from all three keeps each one’s order, loses nothing, and replays', async () => {
    const processes = await startHubProcesses(3, {
      redisUrl: redis.url,
      namespace: 'storm',
      hub: { replayBufferSize: 2 * SOURCES.length * STORM },
    });
    onTestFinished(processes.stop);
    const streams = await Promise.all(processes.map(({ origin }) => openStream(origin)));

    const storms = processes.map(({ child }, index) =>
      child.ask(
        { type: 'storm', topic: 'storm', count: STORM, source: SOURCES[index]! },
        'stormed',
      ),
    );
    const published = (await Promise.all(storms)).flatMap(({ ids }) => ids);
    const received = await Promise.all(
      streams.map(({ reader }) => readEvents(reader, SOURCES.length * STORM)),
    );

    for (const events of received) {
      expectOneOrderEverywhere(events);
      expect(events.map((event) => event.id).sort()).toEqual([...published].sort());
    }
    // Every process delivered the one order Redis gave.
    expect(received[1]!.map((event) => event.id)).toEqual(received[0]!.map((event) => event.id));
    expect(received[2]!.map((event) => event.id)).toEqual(received[0]!.map((event) => event.id));

    // A stream that saw the first event resumes on another process with all the rest.
    const first = received[0]![0]!;
    const resumed = await openStream(processes[2]!.origin, { 'last-event-id': first.id! });
    const replayed = await readEvents(resumed.reader, SOURCES.length * STORM - 1);
    expect(replayed.map((event) => event.id)).toEqual(received[0]!.slice(1).map((e) => e.id));
    for (const stream of [...streams, resumed]) stream.close();
  });

  it('frees the streams of a process killed without a word, once their lease runs out', async () => {
    const [doomed, survivor] = await startHubProcesses(2, {
      redisUrl: redis.url,
      namespace: 'lease',
      hub: { maxStreams: 1 },
      broker: { leaseMs: 1_000 },
    });
    onTestFinished(() => survivor!.child.stop({ type: 'stop' }));
    await openStream(doomed!.origin);
    const refused = await fetch(`${survivor!.origin}/events?topics=storm`, {
      headers: { 'x-user': 'bob' },
    });
    expect(refused.status).toBe(503);

    await doomed!.child.kill();

    let status = 503;
    for (let attempt = 0; attempt < 50 && status === 503; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const response = await fetch(`${survivor!.origin}/events?topics=storm`, {
        headers: { 'x-user': 'bob' },
      });
      status = response.status;
      await response.body?.cancel();
    }
    expect(status).toBe(200);
  });
});
