import { describe, expect, it } from 'vitest';
import { EventLog, parseEventId } from '../../src/server/replay';
import { startHub } from './harness';
import type { SseReader } from './sse-reader';

/** Reads past the retry hint and returns the ids of the next `count` frames. */
async function idsAfterRetry(reader: SseReader, count: number): Promise<(string | undefined)[]> {
  expect((await reader.next()).retry).toBeDefined();
  const ids: (string | undefined)[] = [];
  for (let index = 0; index < count; index += 1) ids.push((await reader.nextEvent()).id);
  return ids;
}

describe('replay after Last-Event-ID', () => {
  it('replays exactly the buffered events after the header id, of the subscribed topics, in order', async () => {
    const test = await startHub();
    const from = test.hub.publish('a', 'x', 1);
    const a2 = test.hub.publish('a', 'x', 2);
    test.hub.publish('b', 'x', 3);
    const a4 = test.hub.publish('a', 'y', 4);

    const { reader } = await test.open(
      { topics: 'a' },
      { user: 'alice', headers: { 'last-event-id': from } },
    );

    expect(await idsAfterRetry(reader, 2)).toEqual([a2, a4]);
    // Nothing else was replayed: the next frame is a live one.
    const live = test.hub.publish('a', 'x', 5);
    expect((await reader.nextEvent()).id).toBe(live);
  });

  it('replays after the id in the lastEventId query parameter', async () => {
    const test = await startHub();
    const from = test.hub.publish('a', 'x', 1);
    const next = test.hub.publish('a', 'x', 2);

    const { reader } = await test.open({ topics: 'a', lastEventId: from }, { user: 'alice' });

    expect(await idsAfterRetry(reader, 1)).toEqual([next]);
  });

  it('reads the query parameter named by lastEventIdParam', async () => {
    const test = await startHub({ lastEventIdParam: 'since' });
    const from = test.hub.publish('a', 'x', 1);
    const next = test.hub.publish('a', 'x', 2);

    const { reader } = await test.open({ topics: 'a', since: from }, { user: 'alice' });

    expect(await idsAfterRetry(reader, 1)).toEqual([next]);
  });

  it('prefers the header when both the header and the query parameter are present', async () => {
    const test = await startHub();
    const fromQuery = test.hub.publish('a', 'x', 1);
    const fromHeader = test.hub.publish('a', 'x', 2);
    const last = test.hub.publish('a', 'x', 3);

    const { reader } = await test.open(
      { topics: 'a', lastEventId: fromQuery },
      { user: 'alice', headers: { 'last-event-id': fromHeader } },
    );

    expect(await idsAfterRetry(reader, 1)).toEqual([last]);
    const live = test.hub.publish('a', 'x', 4);
    expect((await reader.nextEvent()).id).toBe(live);
  });

  it('replays nothing, and sends no reset, to a connect without a last id', async () => {
    const test = await startHub();
    test.hub.publish('a', 'x', 1);

    const { reader } = await test.open({ topics: 'a' }, { user: 'alice' });
    const live = test.hub.publish('a', 'x', 2);

    expect(await idsAfterRetry(reader, 1)).toEqual([live]);
  });

  it('replays nothing to a client already at the newest id', async () => {
    const test = await startHub();
    const head = test.hub.publish('a', 'x', 1);

    const { reader } = await test.open({ topics: 'a', lastEventId: head }, { user: 'alice' });
    const live = test.hub.publish('a', 'x', 2);

    expect(await idsAfterRetry(reader, 1)).toEqual([live]);
  });

  it('replays the whole buffer when the id is just before its oldest event', async () => {
    const test = await startHub({ replayBufferSize: 3 });
    const ids = [1, 2, 3, 4].map((value) => test.hub.publish('a', 'x', value));

    const { reader } = await test.open({ topics: 'a', lastEventId: ids[0]! }, { user: 'alice' });

    expect(await idsAfterRetry(reader, 3)).toEqual(ids.slice(1));
  });

  it('sends a reset carrying the newest id when events after the id were dropped', async () => {
    const test = await startHub({ replayBufferSize: 3 });
    const ids = [1, 2, 3, 4, 5].map((value) => test.hub.publish('a', 'x', value));

    const { reader } = await test.open({ topics: 'a', lastEventId: ids[0]! }, { user: 'alice' });
    await reader.next();

    expect(await reader.next()).toEqual({
      id: ids[4],
      event: 'tabcast',
      data: '{"type":"reset"}',
      comments: [],
    });
    const live = test.hub.publish('a', 'x', 6);
    expect((await reader.nextEvent()).id).toBe(live);
  });

  it('sends a reset for an unparsable id', async () => {
    const test = await startHub();
    const head = test.hub.publish('a', 'x', 1);

    const { reader } = await test.open({ topics: 'a', lastEventId: 'abc' }, { user: 'alice' });
    await reader.next();

    expect(await reader.next()).toMatchObject({ id: head, data: '{"type":"reset"}' });
  });

  it('resets a client whose id comes from before a server restart', async () => {
    const before = await startHub();
    const oldId = before.hub.publish('a', 'x', 1);
    await new Promise((resolve) => setTimeout(resolve, 2));
    const restarted = await startHub();

    const { reader } = await restarted.open({ topics: 'a', lastEventId: oldId }, { user: 'alice' });
    await reader.next();

    expect(await reader.next()).toMatchObject({ event: 'tabcast', data: '{"type":"reset"}' });
  });
});

describe('sticky events', () => {
  it('sends the latest sticky value per (topic, event name) to a new subscriber, with its id', async () => {
    const test = await startHub();
    test.hub.publish('job:1', 'status', 'queued', { sticky: true });
    const status = test.hub.publish('job:1', 'status', 'running', { sticky: true });
    const progress = test.hub.publish('job:1', 'progress', 40, { sticky: true });
    test.hub.publish('job:1', 'log', 'not sticky');
    test.hub.publish('job:2', 'status', 'other topic', { sticky: true });

    const { reader } = await test.open({ topics: 'job:1' }, { user: 'alice' });
    await reader.next();

    expect(await reader.next()).toMatchObject({
      id: status,
      event: 'status',
      data: '{"topic":"job:1","data":"running"}',
    });
    expect(await reader.next()).toMatchObject({ id: progress, event: 'progress' });
    const live = test.hub.publish('job:1', 'log', 'live');
    expect((await reader.nextEvent()).id).toBe(live);
  });

  it('does not send a sticky event the replay already delivered', async () => {
    const test = await startHub();
    const from = test.hub.publish('job:1', 'log', 'before');
    const sticky = test.hub.publish('job:1', 'status', 'done', { sticky: true });
    const after = test.hub.publish('job:1', 'log', 'after');

    const { reader } = await test.open({ topics: 'job:1', lastEventId: from }, { user: 'alice' });

    expect(await idsAfterRetry(reader, 2)).toEqual([sticky, after]);
    const live = test.hub.publish('job:1', 'log', 'live');
    expect((await reader.nextEvent()).id).toBe(live);
  });

  it('sends a sticky event older than the resume point after the replay', async () => {
    const test = await startHub();
    const sticky = test.hub.publish('job:1', 'status', 'done', { sticky: true });
    const from = test.hub.publish('job:1', 'log', 'seen');
    const replayed = test.hub.publish('job:1', 'log', 'missed');

    const { reader } = await test.open({ topics: 'job:1', lastEventId: from }, { user: 'alice' });

    expect(await idsAfterRetry(reader, 2)).toEqual([replayed, sticky]);
  });

  it('sends sticky events after a reset', async () => {
    const test = await startHub({ replayBufferSize: 1 });
    const from = test.hub.publish('job:1', 'log', 'seen');
    const sticky = test.hub.publish('job:1', 'status', 'done', { sticky: true });
    const head = test.hub.publish('job:1', 'log', 'newest');

    const { reader } = await test.open({ topics: 'job:1', lastEventId: from }, { user: 'alice' });
    await reader.next();

    expect(await reader.next()).toMatchObject({ id: head, data: '{"type":"reset"}' });
    expect((await reader.next()).id).toBe(sticky);
  });
});

describe('EventLog', () => {
  it('numbers events consecutively from its starting id', () => {
    const log = new EventLog(2, 100);

    expect(log.append('a', 'x', '{}').id).toBe(101);
    expect(log.append('a', 'x', '{}').id).toBe(102);
    expect(log.headId).toBe(102);
  });

  it('plans a replay, an up-to-date resume or a reset from the last id', () => {
    const log = new EventLog(2, 100);
    for (let index = 0; index < 4; index += 1) log.append('a', 'x', '{}');

    const ids = (plan: ReturnType<EventLog['resume']>) =>
      plan.kind === 'replay' ? plan.events.map((event) => event.id) : plan.kind;
    expect(ids(log.resume(undefined))).toBe('fresh');
    expect(ids(log.resume('104'))).toEqual([]);
    expect(ids(log.resume('999'))).toEqual([]);
    expect(ids(log.resume('103'))).toEqual([104]);
    expect(ids(log.resume('102'))).toEqual([103, 104]);
    expect(log.resume('101')).toEqual({ kind: 'reset', headId: 104 });
    expect(log.resume('-1')).toEqual({ kind: 'reset', headId: 104 });
  });

  it('with no buffer, resets every resume that missed events', () => {
    const log = new EventLog(0, 100);
    log.append('a', 'x', '{}');

    expect(log.resume('100')).toEqual({ kind: 'reset', headId: 101 });
    expect(log.resume('101')).toEqual({ kind: 'replay', after: 101, events: [] });
  });

  it('accepts only decimal ids this server can have sent', () => {
    expect(parseEventId('42')).toBe(42);
    expect(parseEventId('')).toBeUndefined();
    expect(parseEventId('4.2')).toBeUndefined();
    expect(parseEventId('1e3')).toBeUndefined();
    expect(parseEventId(' 42')).toBeUndefined();
    expect(parseEventId('99999999999999999')).toBeUndefined();
  });
});
