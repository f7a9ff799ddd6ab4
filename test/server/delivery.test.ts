import { describe, expect, it } from 'vitest';
import { startHub } from './harness';

describe('delivery', () => {
  it('answers with the SSE headers of the wire contract', async () => {
    const test = await startHub();
    const { response } = await test.open({ topics: 'a' }, { user: 'alice' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
  });

  it('sends the retry hint as the very first bytes', async () => {
    const test = await startHub({ retryMs: 1234 });
    const { reader } = await test.open({ topics: 'a' }, { user: 'alice' });

    expect(await reader.next()).toEqual({ retry: '1234', comments: [] });
  });

  it('sends no retry hint with retryMs: null, so the first frame is the first event', async () => {
    const test = await startHub({ retryMs: null });
    const { reader } = await test.open({ topics: 'a' }, { user: 'alice' });
    const id = test.hub.publish('a', 'ping', 1);

    expect(await reader.next()).toMatchObject({ id, event: 'ping' });
  });

  it('frames a published event as id, event name and a one-line {topic, data} envelope', async () => {
    const test = await startHub();
    const { reader } = await test.open({ topics: 'results:42' }, { user: 'alice' });
    await reader.next();

    const data = { state: 'done', note: 'line one\nline two\r\n', nested: [1, { deep: true }] };
    const id = test.hub.publish('results:42', 'status-changed', data);

    const frame = await reader.next();
    expect(frame).toEqual({
      id,
      event: 'status-changed',
      data: JSON.stringify({ topic: 'results:42', data }),
      comments: [],
    });
    expect(JSON.parse(frame.data ?? '')).toEqual({ topic: 'results:42', data });
  });

  it('gives events strictly increasing integer ids', async () => {
    const test = await startHub();
    const ids = [
      test.hub.publish('a', 'x', 1),
      test.hub.publish('b', 'x', 2),
      test.hub.publish('a', 'x', 3),
    ].map(Number);

    expect(ids.every(Number.isSafeInteger)).toBe(true);
    expect(ids[1]).toBe(ids[0]! + 1);
    expect(ids[2]).toBe(ids[1]! + 1);
  });

  it('delivers only the topics a stream subscribed to', async () => {
    const test = await startHub();
    const { reader } = await test.open({ topics: 'a,c' }, { user: 'alice' });
    await reader.next();

    test.hub.publish('b', 'ping', 'not for this stream');
    test.hub.publish('ab', 'ping', 'not a prefix match either');
    const forC = test.hub.publish('c', 'ping', 'for c');
    const forA = test.hub.publish('a', 'ping', 'for a');

    expect((await reader.next()).id).toBe(forC);
    expect((await reader.next()).id).toBe(forA);
  });

  it('sends a heartbeat control event every heartbeatMs', async () => {
    const test = await startHub({ heartbeatMs: 30 });
    const { reader } = await test.open({ topics: 'a' }, { user: 'alice' });
    await reader.next();

    expect(await reader.next(500)).toEqual({
      event: 'tabcast',
      data: '{"type":"heartbeat"}',
      comments: [],
    });
    expect(await reader.next(500)).toEqual({
      event: 'tabcast',
      data: '{"type":"heartbeat"}',
      comments: [],
    });
  });

  it('delivers every event in publish order to several streams at once', async () => {
    const test = await startHub();
    const first = await test.open({ topics: 'a' }, { user: 'alice' });
    const second = await test.open({ topics: 'a,b' }, { user: 'bob' });
    await first.reader.next();
    await second.reader.next();

    const ids = Array.from({ length: 50 }, (_, index) => test.hub.publish('a', 'n', index));

    for (const { reader } of [first, second]) {
      for (const id of ids) expect((await reader.next()).id).toBe(id);
    }
  });

  it('queues a burst behind backpressure and delivers all of it, in order', async () => {
    const test = await startHub({ maxBufferedBytes: 16 * 1024 * 1024, replayBufferSize: 1 });
    const { reader } = await test.open({ topics: 'a' }, { user: 'alice' });
    await reader.next();

    const payload = 'y'.repeat(64 * 1024);
    const ids = Array.from({ length: 100 }, () => test.hub.publish('a', 'blob', payload));

    for (const id of ids) {
      const frame = await reader.next();
      expect(frame.id).toBe(id);
      expect(frame.data).toHaveLength(payload.length + '{"topic":"a","data":""}'.length);
    }
    expect(test.hub.stats().dropped).toBe(0);
  });
});
