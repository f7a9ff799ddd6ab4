/**
 * `SharedEventSource` (issue 10): the `EventSource` interface, one connection per URL for every
 * tab, `close()` per instance. Driven on the fake browser; the Chromium suites run it against
 * real servers with no tabcast code.
 */
import { describe, expect, it } from 'vitest';
import { createTabcast, SharedEventSource } from '../../src/index.js';
import { FakeBrowser, type FakeTab } from '../fakes/index.js';

const URL_A = 'https://app.test/api/dashboard/events';

function open(tab: FakeTab, url = URL_A, init = {}) {
  const source = new SharedEventSource(url, { platform: tab.platform, ...init });
  const seen: string[] = [];
  source.onopen = () => seen.push(`open ${source.readyState}`);
  source.onerror = () => seen.push(`error ${source.readyState}`);
  source.onmessage = (event) => seen.push(`message ${event.data} #${event.lastEventId}`);
  return { source, seen };
}

const liveSources = (browser: FakeBrowser) =>
  browser.eventSources.filter((source) => !source.closed);

describe('SharedEventSource', () => {
  it('has the EventSource interface', () => {
    const browser = new FakeBrowser();
    const { source } = open(browser.openTab());
    expect([
      SharedEventSource.CONNECTING,
      SharedEventSource.OPEN,
      SharedEventSource.CLOSED,
    ]).toEqual([0, 1, 2]);
    expect([source.CONNECTING, source.OPEN, source.CLOSED]).toEqual([0, 1, 2]);
    expect(source.url).toBe(URL_A);
    expect(source.withCredentials).toBe(false);
    expect(source.readyState).toBe(0);
    expect(source).toBeInstanceOf(EventTarget);
    expect(() => new SharedEventSource('http://[bad')).toThrowError(
      expect.objectContaining({ name: 'SyntaxError' }),
    );
  });

  it('every tab shares one connection per URL; events reach each source once, in order', async () => {
    const browser = new FakeBrowser();
    const [first, second] = [browser.openTab(), browser.openTab()];
    const a = open(first);
    const b = open(second);
    const other = open(second, 'https://app.test/api/chat');
    await browser.clock.advance(100);
    expect(
      liveSources(browser)
        .map((source) => source.url)
        .sort(),
    ).toEqual(['https://app.test/api/chat', URL_A]);
    const stream = liveSources(browser).find((source) => source.url === URL_A)!;
    stream.open();
    stream.emit('message', 'one', { id: '1' });
    stream.emit('message', 'two');
    stream.emit('tile', 'named');
    await browser.clock.advance(0);
    for (const { seen } of [a, b]) {
      expect(seen).toEqual(['open 1', 'message one #1', 'message two #1']);
    }
    expect(other.seen).toEqual([]);
    expect(a.source.readyState).toBe(1);
    expect(other.source.readyState).toBe(0);
  });

  it('hears named events it listens to, added after construction, with data, id and origin', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const { source } = open(tab);
    const tiles: MessageEvent[] = [];
    source.addEventListener('tile', (event) => tiles.push(event as MessageEvent));
    await browser.clock.advance(100);
    const [stream] = liveSources(browser);
    stream!.open();
    stream!.emit('tile', '{"x":1}', { id: '9' });
    await browser.clock.advance(0);
    expect(tiles.map((event) => [event.type, event.data, event.lastEventId, event.origin])).toEqual(
      [['tile', '{"x":1}', '9', 'https://app.test']],
    );
    expect(liveSources(browser)).toHaveLength(1);
  });

  it('a source made while the stream is open opens at once, after the constructor returns', async () => {
    const browser = new FakeBrowser();
    const [first, second] = [browser.openTab(), browser.openTab()];
    open(first);
    await browser.clock.advance(100);
    liveSources(browser)[0]!.open();
    await browser.clock.advance(0);
    const late = open(second);
    expect(late.seen).toEqual([]);
    await browser.clock.advance(0);
    expect(late.seen).toEqual(['open 1']);
  });

  it('close() stops one source; the connection ends when no tab listens', async () => {
    const browser = new FakeBrowser();
    const [first, second] = [browser.openTab(), browser.openTab()];
    const a = open(first);
    const b = open(second);
    await browser.clock.advance(100);
    const [stream] = liveSources(browser);
    stream!.open();
    await browser.clock.advance(0);
    a.source.close();
    expect(a.source.readyState).toBe(2);
    stream!.emit('message', 'after close');
    await browser.clock.advance(100);
    expect(a.seen).toEqual(['open 1']);
    expect(b.seen).toEqual(['open 1', 'message after close #']);
    b.source.close();
    await browser.clock.advance(100);
    expect(liveSources(browser)).toEqual([]);
  });

  it('a dropped stream: error and CONNECTING, then open again; a 204: error and CLOSED', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const { source, seen } = open(tab);
    await browser.clock.advance(100);
    liveSources(browser)[0]!.open();
    await browser.clock.advance(0);
    liveSources(browser)[0]!.drop();
    await browser.clock.advance(0);
    expect(source.readyState).toBe(0);
    await browser.clock.advance(2_000); // the first backoff: at most `baseMs`
    liveSources(browser)[0]!.open();
    await browser.clock.advance(0);
    liveSources(browser)[0]!.fail();
    await browser.clock.advance(0);
    browser.fetches.at(-1)!.respond(204);
    await browser.clock.advance(60_000);
    expect(seen).toEqual(['open 1', 'error 0', 'open 1', 'error 2']);
    expect(source.readyState).toBe(2);
    expect(liveSources(browser)).toEqual([]);
  });

  it('two users in one browser never share a connection', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    open(tab, URL_A, { user: 'ada' });
    open(tab, URL_A, { user: 'bob' });
    await browser.clock.advance(100);
    expect(liveSources(browser)).toHaveLength(2);
  });
});

describe('SharedEventSource and the scope’s logout', () => {
  it('closes on a logout of its scope, and a new source afterwards signs in again', async () => {
    const browser = new FakeBrowser();
    const [first, second] = [browser.openTab(), browser.openTab()];
    const { source, seen } = open(first, URL_A, { user: 'ada' });
    const app = createTabcast({
      url: '/',
      appKey: 'shared-event-source',
      wire: 'plain',
      platform: second.platform,
    });
    app.login({ userId: 'ada' });
    await browser.clock.advance(100);
    app.logout();
    await browser.clock.advance(1_000);
    expect(source.readyState).toBe(2);
    expect(seen).toEqual(['error 2']);
    expect(liveSources(browser)).toEqual([]);
    const again = open(first, URL_A, { user: 'ada' });
    await browser.clock.advance(100);
    expect(again.source.readyState).toBe(0);
    expect(liveSources(browser)).toHaveLength(1);
  });
});

describe('SharedEventSource.logout', () => {
  it('closes the user’s sources in every tab, from a tab that has none', async () => {
    const browser = new FakeBrowser();
    const [first, second, third] = [browser.openTab(), browser.openTab(), browser.openTab()];
    const plain = open(first, URL_A, { user: 'ada' });
    const credentialed = open(second, URL_A, { user: 'ada', withCredentials: true });
    const bob = open(second, URL_A, { user: 'bob' });
    await browser.clock.advance(100);
    expect(liveSources(browser)).toHaveLength(3);
    SharedEventSource.logout({ user: 'ada', platform: third.platform });
    await browser.clock.advance(1_000);
    expect([plain, credentialed, bob].map(({ source }) => source.readyState)).toEqual([2, 2, 0]);
    expect(liveSources(browser)).toHaveLength(1);
  });
});

describe('SharedEventSource, as EventSource would be', () => {
  it('a refusal (a 404) closes it: error and CLOSED, and no retry', async () => {
    const browser = new FakeBrowser();
    const { source, seen } = open(browser.openTab());
    await browser.clock.advance(100);
    liveSources(browser)[0]!.fail();
    await browser.clock.advance(0);
    browser.fetches.at(-1)!.respond(404);
    await browser.clock.advance(60_000);
    expect(seen).toEqual(['error 2']);
    expect(source.readyState).toBe(2);
    expect(liveSources(browser)).toEqual([]);
  });

  it('an open source whose leader tab goes: error and CONNECTING, then open on the new stream', async () => {
    const browser = new FakeBrowser();
    const [first, second] = [browser.openTab(), browser.openTab()];
    open(first);
    const follower = open(second);
    await browser.clock.advance(100);
    liveSources(browser)[0]!.open();
    await browser.clock.advance(0);
    first.crash();
    await browser.clock.advance(100);
    expect(follower.seen).toEqual(['open 1', 'error 0']);
    liveSources(browser)[0]!.open();
    await browser.clock.advance(0);
    expect(follower.seen).toEqual(['open 1', 'error 0', 'open 1']);
  });

  it('each failed attempt is an error; a source made during the backoff hears only the next', async () => {
    const browser = new FakeBrowser();
    const [first, second] = [browser.openTab(), browser.openTab()];
    const early = open(first, URL_A, { backoff: { strategy: 'none', baseMs: 1000 } });
    await browser.clock.advance(100);
    const failAttempt = async () => {
      liveSources(browser)[0]!.fail();
      await browser.clock.advance(0);
      browser.fetches.at(-1)!.respond(503);
      await browser.clock.advance(0);
    };
    await failAttempt();
    expect(early.seen).toEqual(['error 0']);
    const late = open(second, URL_A, { backoff: { strategy: 'none', baseMs: 1000 } });
    await browser.clock.advance(1000);
    expect(late.seen).toEqual([]);
    await failAttempt();
    expect(early.seen).toEqual(['error 0', 'error 0']);
    expect(late.seen).toEqual(['error 0']);
  });

  it("another URL's stream opening is no news to a source still waiting to retry", async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const waiting = open(tab, URL_A, { backoff: { strategy: 'none', baseMs: 60_000 } });
    const other = open(tab, 'https://app.test/api/chat', {
      backoff: { strategy: 'none', baseMs: 60_000 },
    });
    await browser.clock.advance(100);
    const streamA = liveSources(browser).find((source) => source.url === URL_A)!;
    streamA.fail();
    await browser.clock.advance(0);
    browser.fetches.at(-1)!.respond(503);
    await browser.clock.advance(0);
    expect(waiting.seen).toEqual(['error 0']);
    liveSources(browser)[0]!.open();
    await browser.clock.advance(0);
    expect(other.seen).toEqual(['open 1']);
    expect(waiting.seen).toEqual(['error 0']);
  });

  it('listening to open or error asks the stream for no event of that name', async () => {
    const browser = new FakeBrowser();
    const { source, seen } = open(browser.openTab());
    source.addEventListener('open', () => seen.push('open listener'));
    source.addEventListener('error', () => seen.push('error listener'));
    await browser.clock.advance(100);
    const [stream] = liveSources(browser);
    stream!.open();
    stream!.emit('message', 'a message');
    stream!.drop();
    await browser.clock.advance(0);
    expect(seen).toEqual([
      'open 1',
      'open listener',
      'message a message #',
      'error 0',
      'error listener',
    ]);
  });

  it('a listener added after close() connects nothing', async () => {
    const browser = new FakeBrowser();
    const { source } = open(browser.openTab());
    source.close();
    source.addEventListener('tile', () => {});
    await browser.clock.advance(100);
    expect(browser.eventSources).toEqual([]);
  });

  it('closed as soon as made, it never opens, even on a stream already open', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    open(tab);
    await browser.clock.advance(100);
    liveSources(browser)[0]!.open();
    await browser.clock.advance(0);
    const late = open(tab);
    late.source.close();
    await browser.clock.advance(0);
    expect(late.seen).toEqual([]);
    expect(late.source.readyState).toBe(2);
  });

  it('names the URL it cannot parse', () => {
    expect(() => new SharedEventSource('http://[bad')).toThrowError("'http://[bad' is not a URL");
  });
});

describe('SharedEventSource settings', () => {
  it('sources of one app share their settings: another backoff is a clear error, the same credentials function is not', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const credentials = () => ({ authorization: 'Bearer t' });
    open(tab, URL_A, { credentials, transport: 'fetch' });
    expect(() =>
      open(tab, 'https://app.test/api/chat', { credentials, transport: 'fetch' }),
    ).not.toThrow();
    expect(() =>
      open(tab, 'https://app.test/api/chat', {
        credentials,
        transport: 'fetch',
        backoff: { baseMs: 5 },
      }),
    ).toThrowError(
      expect.objectContaining({
        code: 'invalid_option',
        message: expect.stringContaining('appKey'),
      }),
    );
  });

  it('its settings reach the connection: transport, credentials, backoff, timing, lastEventIdParam', async () => {
    const browser = new FakeBrowser();
    const { seen } = open(browser.openTab(), URL_A, {
      transport: 'fetch',
      credentials: () => ({ authorization: 'Bearer t' }),
      backoff: { strategy: 'none', baseMs: 5000 },
      timing: { connectTimeoutMs: 1000 },
    });
    await browser.clock.advance(100);
    expect(browser.eventSources).toEqual([]);
    expect(browser.fetches).toHaveLength(1);
    expect(browser.fetches[0]!.headers.authorization).toBe('Bearer t');
    await browser.clock.advance(1000);
    expect(seen).toEqual(['error 0']);
    await browser.clock.advance(3800);
    expect(browser.fetches).toHaveLength(1);
    await browser.clock.advance(1200);
    expect(browser.fetches).toHaveLength(2);

    const resuming = new FakeBrowser();
    const { source } = open(resuming.openTab(), URL_A, { lastEventIdParam: 'since' });
    await resuming.clock.advance(100);
    liveSources(resuming)[0]!.open();
    liveSources(resuming)[0]!.emit('message', 'one', { id: '7' });
    liveSources(resuming)[0]!.drop();
    await resuming.clock.advance(2000);
    expect(source.readyState).toBe(0);
    expect(new URL(liveSources(resuming)[0]!.url).searchParams.get('since')).toBe('7');
  });
});
