/**
 * The plain wire (issue 10): any SSE endpoint, as it is. A topic is an endpoint, each its own
 * stream held by the scope's one leader; handlers get the data string; nothing of ours goes in
 * the request but the resume id; one logout ends every stream in every tab.
 */
import { describe, expect, it } from 'vitest';
import { sseFrame } from '../fakes/index.js';
import { Harness } from '../support/harness.js';

const BASE = 'https://app.test/sse/';

function plain(options = {}) {
  return new Harness({}, { url: BASE, wire: 'plain', ...options });
}

describe('the plain wire', () => {
  it('holds one stream per endpoint for every tab, asking for nothing but the endpoint', async () => {
    const harness = plain();
    const tabs = [
      harness.open({ topics: ['chat', 'status'], events: ['message', 'said'] }),
      harness.open({ topics: ['chat'], events: ['message', 'said'] }),
      harness.open({ topics: ['https://other.test/feed'], events: ['message'] }),
    ];
    await harness.settle(100);
    const urls = harness.openSources().map((source) => source.url);
    expect(urls.sort()).toEqual([
      'https://app.test/sse/chat',
      'https://app.test/sse/status',
      'https://other.test/feed',
    ]);
    expect(new Set(harness.openSources().map((source) => source.tabId))).toEqual(
      new Set([tabs[0]!.tab.id]),
    );
    const chat = harness.openSources().find((source) => source.url.endsWith('/chat'))!;
    chat.open();
    chat.emit('message', 'hello, "world"', { id: 'a1' });
    chat.emit('said', '{"not":"unwrapped"}', { id: 'a2' });
    chat.emit('tabcast', 'an ordinary name here');
    await harness.settle();
    for (const entry of tabs.slice(0, 2)) {
      expect(entry.delivered).toEqual([
        { topic: 'chat', event: 'message', id: 'a1', data: 'hello, "world"' },
        {
          topic: 'chat',
          event: 'said',
          id: 'a2',
          data: '{"not":"unwrapped"}',
        },
      ]);
    }
    expect(tabs[2]!.delivered).toEqual([]);
    expect(tabs[1]!.tabcast.status.streams['https://app.test/sse/chat']?.phase).toBe('open');
    expect(tabs[1]!.tabcast.status.phase).toBe('connecting'); // the others are not open yet
  });

  it('runs `parse` on the raw string', async () => {
    const seen: unknown[] = [];
    const harness = plain({
      events: { message: { parse: (data: unknown) => JSON.parse(String(data)) } },
    });
    const { tabcast } = harness.open({ topics: [] });
    tabcast.subscribe('n', { message: (data) => seen.push(data) });
    await harness.settle(100);
    harness.theSource().open();
    harness.theSource().emit('message', '{"n":1}');
    await harness.settle();
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('closes an endpoint no tab wants, keeps the others, and one logout ends them all', async () => {
    const harness = plain();
    const leader = harness.open({ topics: ['a', 'b'] });
    const follower = harness.open({ topics: ['b'] });
    await harness.settle(100);
    expect(harness.openSources()).toHaveLength(2);
    leader.unsubscribe[0]!(); // a
    await harness.settle(100);
    expect(harness.openSources().map((source) => source.url)).toEqual(['https://app.test/sse/b']);
    follower.tabcast.logout();
    await harness.settle(1_000);
    expect(harness.openSources()).toEqual([]);
    expect([leader, follower].map(({ tabcast }) => tabcast.status.phase)).toEqual([
      'signedOut',
      'signedOut',
    ]);
  });

  it('native EventSource: no query parameter, so a reconnect proves nothing and resyncs; ids start afresh', async () => {
    const harness = plain();
    const tab = harness.open({ topics: ['feed'], events: ['message'] });
    await harness.settle(100);
    harness.theSource().open();
    harness.theSource().emit('message', 'one', { id: '1' });
    await harness.settle();
    harness.theSource().drop();
    await harness.settle(60_000);
    expect(harness.theSource().url).toBe('https://app.test/sse/feed');
    harness.theSource().open();
    harness.theSource().emit('message', 'one again', { id: '1' }); // a server that starts over
    await harness.settle();
    expect(tab.delivered.map((event) => event.data)).toEqual(['one', 'one again']);
    expect(tab.resyncs).toEqual(['feed', 'feed']);
  });

  it('native EventSource with a named parameter resumes from it, and drops a replayed id', async () => {
    const harness = plain({ lastEventIdParam: 'since' });
    const tab = harness.open({ topics: ['feed'], events: ['message'] });
    await harness.settle(100);
    harness.theSource().open();
    harness.theSource().emit('message', 'one', { id: '7' });
    await harness.settle();
    harness.theSource().drop();
    await harness.settle(60_000);
    expect(harness.theSource().url).toBe('https://app.test/sse/feed?since=7');
    harness.theSource().open();
    harness.theSource().emit('message', 'one', { id: '7' });
    harness.theSource().emit('message', 'two', { id: '8' });
    await harness.settle();
    expect(tab.delivered.map((event) => event.data)).toEqual(['one', 'two']);
    expect(tab.resyncs).toEqual(['feed']);
  });

  it('fetch: Last-Event-ID as the header, across a failover, and the server’s retry: honoured', async () => {
    const harness = plain({ transport: 'fetch', backoff: { baseMs: 60_000, capMs: 60_000 } });
    const [first, second] = [
      harness.open({ topics: ['feed'], events: ['message'] }),
      harness.open({ topics: ['feed'], events: ['message'] }),
    ];
    await harness.settle(100);
    const call = harness.browser.fetches.at(-1)!;
    expect(call.url).toBe('https://app.test/sse/feed');
    expect(call.headers['last-event-id']).toBeUndefined();
    call.respond(200);
    call.write(
      sseFrame({ retry: 500 }) + sseFrame({ id: 41, data: 'x' }) + sseFrame({ id: 42, data: 'y' }),
    );
    await harness.settle();
    call.end();
    await harness.settle(499);
    expect(harness.browser.fetches.at(-1)).toBe(call); // retry: 500 is a floor
    await harness.settle(501); // and at most one retry more, not the 60 s base
    const again = harness.browser.fetches.at(-1)!;
    expect(again).not.toBe(call);
    expect(again.headers['last-event-id']).toBe('42');
    again.respond(200);
    await harness.settle();
    first.tab.crash();
    await harness.settle(100);
    const successor = harness.browser.fetches.at(-1)!;
    expect(successor.tabId).toBe(second.tab.id);
    expect(successor.headers['last-event-id']).toBe('42');
    expect(second.delivered.map((event) => event.data)).toEqual(['x', 'y']);
  });

  it('a 400 fails that endpoint as an HTTP error; only retry() tries again', async () => {
    const harness = plain({ transport: 'fetch' });
    const { tabcast } = harness.open({ topics: ['feed'] });
    await harness.settle(100);
    harness.browser.fetches.at(-1)!.respond(400, { 'content-type': 'application/json' });
    await harness.settle(60_000);
    expect(tabcast.status.phase).toBe('failed');
    expect(tabcast.status.error).toEqual({ code: 'http', status: 400 });
    expect(harness.browser.fetches).toHaveLength(1);
  });

  it('rejects what is not an endpoint with a typed error', () => {
    const harness = plain();
    const { tabcast } = harness.open({ topics: [] });
    expect(() => tabcast.subscribe('a\nb', {})).toThrowError(/CR or LF/);
    expect(() => tabcast.subscribe('http://[::1', {})).toThrowError(/not a URL/);
    expect(() => tabcast.subscribe('x'.repeat(20_000), {})).toThrowError(/1-16384/);
  });
});

describe('a 401 on the plain wire', () => {
  it("without refreshCredentials is that endpoint's answer: it fails, the others go on", async () => {
    const harness = plain({ transport: 'fetch' });
    const { tabcast } = harness.open({ topics: ['a', 'b'] });
    await harness.settle(100);
    const [a, b] = ['a', 'b'].map((name) =>
      harness.browser.fetches.find((call) => call.url.endsWith(`/${name}`)),
    );
    a!.respond(401, { 'content-type': 'application/json' });
    b!.respond(200);
    await harness.settle(10_000);
    expect(tabcast.status.userId).toBe('ada');
    expect(tabcast.status.streams['https://app.test/sse/a']).toMatchObject({
      phase: 'failed',
      error: { code: 'unauthorized', status: 401 },
    });
    expect(tabcast.status.streams['https://app.test/sse/b']?.phase).toBe('open');
  });

  it('with refreshCredentials is the session’s: a failed refresh signs every tab out', async () => {
    const harness = plain({ transport: 'fetch', refreshCredentials: async () => false });
    const [first, second] = [harness.open({ topics: ['a'] }), harness.open({ topics: ['a'] })];
    await harness.settle(100);
    harness.browser.fetches.at(-1)!.respond(401, { 'content-type': 'application/json' });
    await harness.settle(1_000);
    expect([first, second].map(({ tabcast }) => tabcast.status.phase)).toEqual([
      'signedOut',
      'signedOut',
    ]);
  });
});

describe('the endpoint as written', () => {
  it('keeps its query byte for byte when the resume id is added', async () => {
    const harness = plain({ lastEventIdParam: 'since' });
    harness.open({ topics: ['feed?q=a%20b&path=x/y&sig=AB%2Bc'], events: ['message'] });
    await harness.settle(100);
    harness.theSource().open();
    harness.theSource().emit('message', 'one', { id: '7 8' });
    await harness.settle();
    harness.theSource().drop();
    await harness.settle(60_000);
    expect(harness.theSource().url).toBe(
      'https://app.test/sse/feed?q=a%20b&path=x/y&sig=AB%2Bc&since=7+8',
    );
  });
});
