/**
 * Redis away: the hubs keep their streams (heartbeats go on, new streams open), publishes wait
 * in order, nothing throws into the app; when Redis is back they catch up what it still holds
 * (no reset), or reset every stream where its data is gone.
 */
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SseFrame, SseReader } from '../server/sse-reader.js';
import { brokerReady, type RedisHub, startRedisHub } from './support/hubs.js';
import { RedisServer } from './support/redis-server.js';

let redis: RedisServer;

beforeEach(async () => {
  redis = await RedisServer.start();
});
afterEach(async () => {
  await redis.stop();
});

async function twoHubs(): Promise<[RedisHub, RedisHub]> {
  const options = { reconnect: { baseMs: 50, capMs: 300 } };
  const hubs = await Promise.all([
    startRedisHub(redis.url, {}, options),
    startRedisHub(redis.url, {}, options),
  ]);
  await Promise.all(hubs.map((test) => brokerReady(test.hub)));
  return hubs as [RedisHub, RedisHub];
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Frames up to and including `count` application events or resets, heartbeats left out. */
async function nextFrames(reader: SseReader, count: number): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  while (frames.length < count) {
    const frame = await reader.next(10_000);
    if (frame.data !== '{"type":"heartbeat"}') frames.push(frame);
  }
  return frames;
}

const describeFrame = (frame: SseFrame) =>
  frame.event === 'tabcast' ? JSON.parse(frame.data!).type : JSON.parse(frame.data!).data.n;

describe('Redis killed and restarted (its data lost)', () => {
  it('keeps serving, queues publishes, then resets every stream and delivers them', async () => {
    const [a, b] = await twoHubs();
    const onA = await a.open({ topics: 'news' }, 'ada');
    const onB = await b.open({ topics: 'news' }, 'bob');
    for (let n = 0; n < 3; n += 1) await a.hub.publish('news', 'tick', { n });
    for (const { reader } of [onA, onB]) {
      expect((await nextFrames(reader, 3)).map(describeFrame)).toEqual([0, 1, 2]);
    }

    await redis.kill();
    await until('both hubs to see Redis gone', () =>
      [a, b].every((test) => test.hub.stats().broker.state === 'down'),
    );
    // Still serving: heartbeats on open streams, and a new stream opens on local counts.
    expect((await onA.reader.next(2_000)).data).toBe('{"type":"heartbeat"}');
    const opened = await b.open({ topics: 'news' }, 'carol');
    const waiting = a.hub.publish('news', 'tick', { n: 3 });
    expect(a.hub.stats().broker).toMatchObject({ state: 'down', pendingPublishes: 1 });

    await redis.restart();
    await until('both hubs back on Redis', () =>
      [a, b].every((test) => test.hub.stats().broker.state === 'ready'),
    );
    const id = await waiting;
    await b.hub.publish('news', 'tick', { n: 4 });

    for (const { reader } of [onA, onB, opened]) {
      expect((await nextFrames(reader, 3)).map(describeFrame)).toEqual(['reset', 3, 4]);
    }
    expect(Number(id)).toBeGreaterThan(0);
    expect(a.hub.stats().broker).toMatchObject({ pendingPublishes: 0, failedPublishes: 0 });
    expect(a.hub.stats().broker.restarts).toBeGreaterThanOrEqual(1);
    // One line per hub for the outage, nothing else, and nothing that looks like a payload.
    for (const test of [a, b]) {
      expect(test.logged).toEqual([
        'tabcast/server/redis: lost the connection to Redis; streams of this process are served alone, publishes wait',
      ]);
    }
  });

  it('rejects (handled) publishes beyond maxPendingPublishes, and says so in stats', async () => {
    const test = await startRedisHub(redis.url, {}, { maxPendingPublishes: 2 });
    await brokerReady(test.hub);
    await redis.kill();
    await until('Redis gone', () => test.hub.stats().broker.state === 'down');

    const first = test.hub.publish('news', 'tick', { n: 0 });
    test.hub.publish('news', 'tick', { n: 1 });
    // Nobody awaits this one: its rejection must not reach the process.
    test.hub.publish('news', 'tick', { n: 2 });
    const fourth = test.hub.publish('news', 'tick', { n: 3 });

    await expect(fourth).rejects.toMatchObject({
      name: 'TabcastPublishError',
      code: 'broker_unavailable',
    });
    expect(test.hub.stats().broker).toMatchObject({ pendingPublishes: 2, failedPublishes: 2 });
    await redis.restart();
    expect(await first).toMatch(/^\d+$/);
  });
});

describe('connections cut, Redis intact', () => {
  it('catches up what was published meanwhile, with no reset', async () => {
    const [a, b] = await twoHubs();
    const onA = await a.open({ topics: 'news' }, 'ada');
    await b.hub.publish('news', 'tick', { n: 0 });
    expect((await nextFrames(onA.reader, 1)).map(describeFrame)).toEqual([0]);

    const admin = new Redis(redis.url);
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    const published = [1, 2, 3].map((n) => b.hub.publish('news', 'tick', { n }));
    await Promise.all(published);
    await admin.quit();

    expect((await nextFrames(onA.reader, 3)).map(describeFrame)).toEqual([1, 2, 3]);
    expect(a.hub.stats().broker.restarts).toBe(0);
  });
});
