/**
 * `hub.fetch`, the web-standard door: the same endpoint as `hub.handler`, answered with a
 * `Response` whose body streams, and ended by `request.signal`.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createHub, type HubRequest, headerOf, type StreamInfo } from '../../src/server/index.js';
import { SseReader, waitUntil } from './sse-reader.js';

function fetchHub() {
  const seen: HubRequest[] = [];
  const disconnects: StreamInfo<string>[] = [];
  const hub = createHub<string>({
    authorize: (req) => {
      seen.push(req);
      return headerOf(req, 'x-user') ?? null;
    },
    onDisconnect: (info) => {
      disconnects.push(info);
    },
    logger: { error: (message) => expect.fail(`logged: ${message}`) },
  });
  onTestFinished(() => hub.close());
  const ask = (query: string, init: RequestInit = {}) =>
    hub.fetch(new Request(`http://hub.test/events?${query}`, init));
  return { hub, seen, disconnects, ask };
}

describe('hub.fetch', () => {
  it('streams with the SSE headers, the retry hint first, then live events', async () => {
    const { hub, seen, ask } = fetchHub();
    const controller = new AbortController();
    onTestFinished(() => controller.abort());

    const response = await ask('topics=a', {
      headers: { 'x-user': 'ada' },
      signal: controller.signal,
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(seen[0]).toBeInstanceOf(Request);
    const reader = new SseReader(response.body!);
    expect((await reader.next()).retry).toBe('2000');
    const id = hub.publish('a', 'x', { n: 1 });
    expect(await reader.next()).toEqual({
      id,
      event: 'x',
      data: '{"topic":"a","data":{"n":1}}',
      comments: [],
    });
  });

  it('replays after the Last-Event-ID header', async () => {
    const { hub, ask } = fetchHub();
    const from = hub.publish('a', 'x', 1);
    const next = hub.publish('a', 'x', 2);
    const controller = new AbortController();
    onTestFinished(() => controller.abort());

    const response = await ask('topics=a', {
      headers: { 'x-user': 'ada', 'last-event-id': from },
      signal: controller.signal,
    });

    const reader = new SseReader(response.body!);
    await reader.next();
    expect((await reader.next()).id).toBe(next);
  });

  it('answers the same errors as hub.handler, as JSON responses', async () => {
    const { ask } = fetchHub();

    const unauthorized = await ask('topics=a');
    const invalid = await ask('topics=', { headers: { 'x-user': 'ada' } });
    const post = await ask('topics=a', { method: 'POST', headers: { 'x-user': 'ada' } });

    expect([unauthorized.status, await unauthorized.json()]).toEqual([
      401,
      { error: 'unauthorized' },
    ]);
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error).toBe('invalid_topics');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('forgets the stream when request.signal aborts', async () => {
    const { hub, disconnects, ask } = fetchHub();
    const controller = new AbortController();
    const response = await ask('topics=a&clientId=tab-1', {
      headers: { 'x-user': 'ada' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(hub.stats().openStreams).toBe(1);

    controller.abort();

    expect(hub.stats()).toMatchObject({ openStreams: 0, streamsByUser: {}, streamsByTopic: {} });
    expect(disconnects.map((info) => info.clientId)).toEqual(['tab-1']);
  });

  it('forgets the stream when the runtime cancels the body', async () => {
    const { hub, ask } = fetchHub();
    const response = await ask('topics=a', { headers: { 'x-user': 'ada' } });

    await response.body!.cancel();

    expect(hub.stats().openStreams).toBe(0);
  });

  it('opens nothing for a request aborted while authorize ran', async () => {
    const controller = new AbortController();
    const hub = createHub<string>({
      authorize: () => {
        controller.abort();
        return 'ada';
      },
    });
    onTestFinished(() => hub.close());

    const response = await hub.fetch(
      new Request('http://hub.test/events?topics=a', { signal: controller.signal }),
    );

    expect(response.status).toBe(499);
    expect(hub.stats()).toMatchObject({ openStreams: 0, connects: 0 });
  });

  it('cuts a client that stops reading once maxBufferedBytes is exceeded', async () => {
    const hub = createHub<string>({ authorize: () => 'ada', maxBufferedBytes: 200_000 });
    onTestFinished(() => hub.close());
    const response = await hub.fetch(new Request('http://hub.test/events?topics=a'));
    expect(response.status).toBe(200);

    // Nobody reads the body: the runtime's queue fills, then the writer's, then the cut.
    for (let n = 0; n < 100 && hub.stats().openStreams === 1; n += 1) {
      hub.publish('a', 'x', 'y'.repeat(10_000));
    }

    expect(hub.stats()).toMatchObject({ openStreams: 0, dropped: 1 });
  });

  it('answers 500 and logs the name of the failing callback when authorize throws', async () => {
    const logged: string[] = [];
    const hub = createHub({
      authorize: () => {
        throw new Error('session store down');
      },
      logger: { error: (message) => logged.push(message) },
    });
    onTestFinished(() => hub.close());

    const response = await hub.fetch(new Request('http://hub.test/events?topics=a'));

    expect([response.status, await response.json()]).toEqual([500, { error: 'internal' }]);
    await waitUntil(() => logged.length === 1, 1000, 'the log line');
    expect(logged).toEqual(['tabcast/server: authorize threw Error: session store down']);
  });
});
