/**
 * Hubs on one Redis (each with its own broker and connections, as separate processes have):
 * publish reaches every hub, ids grow across hubs, replay after a failover onto another hub,
 * sticky values, forceLogout, replacement and caps across hubs, and what happens while Redis is
 * away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBroker } from '../../src/server/redis/index.js';
import type { SseFrame, SseReader } from '../server/sse-reader.js';
import { waitUntil } from '../server/sse-reader.js';
import { brokerReady, type RedisHub, startRedisHub } from './support/hubs.js';
import { RedisServer } from './support/redis-server.js';

let redis: RedisServer;
let namespaceCount = 0;

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.stop();
});

/**
 * `count` hubs on a namespace of their own (tests share the Redis, never their keys), and a way
 * to start one more on it later.
 */
async function hubs(
  count: number,
  hubOptions = {},
  brokerOptions = {},
): Promise<RedisHub[] & { another: () => Promise<RedisHub> }> {
  const namespace = `test-${++namespaceCount}`;
  const another = async () => {
    const test = await startRedisHub(redis.url, hubOptions, { namespace, ...brokerOptions });
    await brokerReady(test.hub);
    return test;
  };
  const started = await Promise.all(Array.from({ length: count }, another));
  return Object.assign(started, { another });
}

/** The next application events (heartbeats skipped). */
async function nextEvents(
  reader: SseReader,
  count: number,
  timeoutMs = 5_000,
): Promise<SseFrame[]> {
  const events: SseFrame[] = [];
  while (events.length < count) {
    const frame = await reader.next(timeoutMs);
    if (frame.data === '{"type":"heartbeat"}') continue;
    events.push(frame);
  }
  return events;
}

const numbers = (frames: SseFrame[]) => frames.map((frame) => JSON.parse(frame.data!).data.n);

describe('one hub across processes on Redis', () => {
  it('delivers a publish of any hub to the subscribers of every hub, with ids that only grow', async () => {
    const [a, b, c] = await hubs(3);
    const onB = await b!.open({ topics: 'news' });
    const onC = await c!.open({ topics: 'news' });

    const ids = [
      await a!.hub.publish('news', 'tick', { n: 0 }),
      await b!.hub.publish('news', 'tick', { n: 1 }),
      await c!.hub.publish('news', 'tick', { n: 2 }),
    ];

    for (const { reader } of [onB, onC]) {
      const events = await nextEvents(reader, 3);
      expect(numbers(events)).toEqual([0, 1, 2]);
      expect(events.map((event) => event.id)).toEqual(ids);
    }
    expect(ids.every((id) => /^\d{16}$/.test(id))).toBe(true);
    expect(Number(ids[0]) < Number(ids[1]) && Number(ids[1]) < Number(ids[2])).toBe(true);
  });

  it('resumes a stream that fails over from hub A to hub B with 0 lost and 0 duplicated', async () => {
    const [a, b] = await hubs(2);
    const onA = await a!.open({ topics: 'news', clientId: 'tab-1' });
    for (let n = 0; n < 5; n += 1) await a!.hub.publish('news', 'tick', { n });
    const seenOnA = await nextEvents(onA.reader, 5);
    onA.abort();
    for (let n = 5; n < 10; n += 1) await b!.hub.publish('news', 'tick', { n });

    const onB = await b!.open({ topics: 'news', clientId: 'tab-1' }, 'ada', {
      'last-event-id': seenOnA.at(-1)!.id!,
    });
    await a!.hub.publish('news', 'tick', { n: 10 });

    expect(numbers(await nextEvents(onB.reader, 6))).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('answers reset (with the newest id) to an id older than what it keeps', async () => {
    const [a, b] = await hubs(2, { replayBufferSize: 3 });
    const first = await a!.hub.publish('news', 'tick', { n: 0 });
    let last = first;
    for (let n = 1; n < 10; n += 1) last = await a!.hub.publish('news', 'tick', { n });
    await waitUntil(() => b!.hub.stats().broker.state === 'ready', 2000, 'b ready');

    const onB = await b!.open({ topics: 'news' }, 'ada', { 'last-event-id': first });

    const [reset] = await nextEvents(onB.reader, 1);
    expect(reset).toMatchObject({ event: 'tabcast', data: '{"type":"reset"}' });
    // b may still be reading the last events: its reset carries the newest id it read.
    expect(Number(reset!.id)).toBeGreaterThan(Number(first));
    expect(Number(reset!.id)).toBeLessThanOrEqual(Number(last));
  });

  it('gives sticky values to new subscribers of any hub, and of a hub started later', async () => {
    const started = await hubs(2);
    const [a, b] = started;
    const id = await a!.hub.publish('job:1', 'status', { n: 1 }, { sticky: true });
    await a!.hub.publish('job:1', 'status', { n: 99 });

    const onB = await b!.open({ topics: 'job:1' });
    const onLater = await (await started.another()).open({ topics: 'job:1' });

    for (const reader of [onB.reader, onLater.reader]) {
      const [sticky] = await nextEvents(reader, 1);
      expect(sticky).toMatchObject({ id, event: 'status' });
      expect(numbers([sticky!])).toEqual([1]);
    }
  });

  it('forceLogout(userKey) on one hub ends that user’s streams on every hub', async () => {
    const [a, b] = await hubs(2);
    const adaOnB = await b!.open({ topics: 'news' }, 'ada');
    const bobOnB = await b!.open({ topics: 'news' }, 'bob');

    expect(a!.hub.forceLogout('ada')).toBe(0);

    const [logout] = await nextEvents(adaOnB.reader, 1);
    expect(logout).toMatchObject({ event: 'tabcast', data: '{"type":"force_logout"}' });
    await adaOnB.reader.end();
    await waitUntil(() => b!.hub.stats().openStreams === 1, 2000, 'only bob left');
    await a!.hub.publish('news', 'tick', { n: 1 });
    expect(numbers(await nextEvents(bobOnB.reader, 1))).toEqual([1]);
  });

  it('closes the older stream of a client on hub A when its newer one opens on hub B', async () => {
    const [a, b] = await hubs(2);
    const older = await a!.open({ topics: 'news', clientId: 'tab-1' });

    await b!.open({ topics: 'news', clientId: 'tab-1' });

    const [closing] = await nextEvents(older.reader, 1);
    expect(closing).toMatchObject({
      event: 'tabcast',
      data: '{"type":"server_close","reason":"replaced"}',
    });
    await older.reader.end();
    await waitUntil(() => a!.hub.stats().openStreams === 0, 2000, 'a to forget it');
  });

  it('caps a user’s streams across hubs, with a jittered Retry-After', async () => {
    const [a, b] = await hubs(2, { maxStreamsPerUser: 2, retryAfterSeconds: 2 });
    await a!.open({ topics: 'news' }, 'ada');
    await b!.open({ topics: 'news' }, 'ada');

    const refused = await a!.request({ topics: 'news' }, 'ada');
    await b!.open({ topics: 'news' }, 'bob');

    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: 'unavailable',
      reason: 'too many open streams for this user',
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(4);
  });

  it('caps the total across hubs, lets a replacing stream in, and frees a slot when a stream ends', async () => {
    const [a, b] = await hubs(2, { maxStreams: 2 });
    const first = await a!.open({ topics: 'news', clientId: 'tab-1' }, 'ada');
    await b!.open({ topics: 'news' }, 'bob');

    expect((await a!.request({ topics: 'news' }, 'carol')).status).toBe(503);
    await b!.open({ topics: 'news', clientId: 'tab-1' }, 'ada');
    await first.reader.end();
    expect((await b!.request({ topics: 'news' }, 'carol')).status).toBe(503);
  });

  it('rejects invalid broker options with a TypeError naming them', () => {
    expect(() => createRedisBroker({} as never)).toThrow(/option "client" must be an ioredis/);
    expect(() =>
      createRedisBroker({ client: { duplicate() {} } as never, namespace: 'a{b}' }),
    ).toThrow(/option "namespace" must be/);
    expect(() => createRedisBroker({ client: { duplicate() {} } as never, leaseMs: 0 })).toThrow(
      /option "leaseMs" must be an integer >= 1/,
    );
  });
});
