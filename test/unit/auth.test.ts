import { describe, expect, it, vi } from 'vitest';
import { TIMING_DEFAULTS } from '../../src/index.js';
import { Harness } from '../support/harness.js';

const topicsOf = (url: string) => new URL(url).searchParams.get('topics');

describe('auth-driven teardown (docs/architecture.md, Auth)', () => {
  it('logout in a follower stops every stream, releases the lock, and nothing reconnects', async () => {
    const harness = new Harness();
    const leader = harness.open();
    const follower = harness.open();
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    follower.tabcast.logout();
    await harness.settle();
    expect(harness.openSources()).toHaveLength(0);
    expect(leader.tabcast.status.phase).toBe('signedOut');
    expect(follower.tabcast.status.phase).toBe('signedOut');
    // The tab that signed out keeps its place in the queue for the sign-out grace only.
    await harness.settle(TIMING_DEFAULTS.signOutGraceMs);
    expect(harness.browser.locks.held('tabcast:app:ada')).toBeNull();
    expect(harness.browser.locks.queued('tabcast:app:ada')).toBe(0);
    expect(leader.tabcast.status.phase).toBe('signedOut');
    expect(follower.tabcast.status.phase).toBe('signedOut');
    const created = harness.browser.eventSources.length;
    await harness.settle(120_000);
    expect(harness.browser.eventSources.length).toBe(created);
  });

  it('logout in the leader: the next tab in the lock queue never connects', async () => {
    const harness = new Harness();
    const leader = harness.open();
    harness.open();
    harness.open();
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    const created = harness.browser.eventSources.length;
    leader.tabcast.logout();
    await harness.settle(1000);
    expect(harness.browser.eventSources).toHaveLength(created);
    expect(harness.openSources()).toHaveLength(0);
    expect(harness.browser.locks.held('tabcast:app:ada')).toBeNull();
  });

  it.each([['backoff'], ['connecting']])(
    'logout during %s leaves nothing to reconnect',
    async (phase) => {
      const harness = new Harness();
      harness.open();
      const follower = harness.open();
      await harness.settle(10);
      if (phase === 'backoff') {
        harness.theSource().drop();
        await harness.settle();
        expect(follower.tabcast.status.phase).toBe('reconnecting');
      }
      follower.tabcast.logout();
      await harness.settle();
      expect(harness.openSources()).toHaveLength(0);
      const created = harness.browser.eventSources.length;
      await harness.settle(120_000);
      expect(harness.browser.eventSources.length).toBe(created);
      expect(harness.tabs.every((entry) => entry.tab.clock.pendingTimers() === 0)).toBe(true);
    },
  );

  it('a login of the user already signed in changes nothing: same stream, same resume point', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open();
    await harness.settle(10);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'news', 'one', 7);
    await harness.settle();
    const source = harness.theSource();
    tabcast.login({ userId: 'ada' });
    await harness.settle(100);
    expect(source.closed).toBe(false);
    expect(harness.browser.eventSources).toHaveLength(1);
    source.drop();
    await harness.settle(2000);
    expect(new URL(harness.theSource().url).searchParams.get('lastEventId')).toBe('7');
  });

  it('a 401 refreshes once and reconnects without a status flicker', async () => {
    const refreshCredentials = vi.fn(async () => true);
    const harness = new Harness({}, { transport: 'fetch', refreshCredentials });
    const { tabcast } = harness.open();
    const phases: string[] = [];
    tabcast.onStatus((status) => phases.push(status.phase));
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(401);
    await harness.settle();
    expect(refreshCredentials).toHaveBeenCalledTimes(1);
    expect(harness.browser.fetches).toHaveLength(2);
    harness.browser.fetches.at(-1)!.respond(200);
    await harness.settle();
    expect(tabcast.status.phase).toBe('open');
    expect(phases).not.toContain('signedOut');
    expect(phases).not.toContain('failed');
  });

  it.each([
    ['the refresh fails', async () => false],
    ['the refresh throws', async () => Promise.reject(new Error('nope'))],
  ])('a 401 signs every tab out when %s', async (_name, refresh) => {
    const harness = new Harness({}, { transport: 'fetch', refreshCredentials: refresh });
    const tabs = [harness.open(), harness.open()];
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(401);
    await harness.settle();
    for (const { tabcast } of tabs) expect(tabcast.status.phase).toBe('signedOut');
    await harness.settle(TIMING_DEFAULTS.signOutGraceMs);
    expect(harness.browser.locks.held('tabcast:app:ada')).toBeNull();
  });

  it('a second 401 right after a refresh signs out instead of looping', async () => {
    const refreshCredentials = vi.fn(async () => true);
    const harness = new Harness({}, { transport: 'fetch', refreshCredentials });
    const { tabcast } = harness.open();
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(401);
    await harness.settle();
    harness.browser.fetches.at(-1)!.respond(401);
    await harness.settle();
    expect(refreshCredentials).toHaveBeenCalledTimes(1);
    expect(tabcast.status.phase).toBe('signedOut');
  });

  it('sends fresh credentials on every connect (fetch transport)', async () => {
    let token = 'one';
    const harness = new Harness(
      {},
      {
        transport: 'fetch',
        credentials: () => ({ authorization: `Bearer ${token}` }),
        refreshCredentials: async () => {
          token = 'two';
        },
      },
    );
    harness.open();
    await harness.settle();
    expect(harness.browser.fetches[0]!.headers.authorization).toBe('Bearer one');
    harness.browser.fetches[0]!.respond(401);
    await harness.settle();
    expect(harness.browser.fetches[1]!.headers.authorization).toBe('Bearer two');
  });

  it('a server force_logout signs out every tab', async () => {
    const harness = new Harness();
    const tabs = [harness.open(), harness.open(), harness.open()];
    await harness.settle(10);
    harness.theSource().open();
    harness.theSource().emit('tabcast', '{"type":"force_logout"}');
    await harness.settle();
    for (const { tabcast } of tabs) expect(tabcast.status.phase).toBe('signedOut');
    expect(harness.openSources()).toHaveLength(0);
  });

  it('a 401 on EventSource is learnt with one probe request (eventsource transport)', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open();
    await harness.settle(10);
    harness.theSource().fail();
    await harness.settle();
    expect(harness.browser.fetches).toHaveLength(1);
    harness.browser.fetches[0]!.respond(401);
    await harness.settle();
    expect(tabcast.status.phase).toBe('signedOut');
  });

  it('403 (forbidden topic) fails without retrying', async () => {
    const harness = new Harness({}, { transport: 'fetch' });
    const { tabcast } = harness.open();
    await harness.settle();
    harness.browser.fetches[0]!.respond(403);
    await harness.settle(120_000);
    expect(harness.browser.fetches).toHaveLength(1);
    expect(tabcast.status.phase).toBe('failed');
    expect(tabcast.status.error?.code).toBe('forbidden');
  });

  it('after a 403 for a topic, dropping that topic connects again', async () => {
    const harness = new Harness({}, { transport: 'fetch' });
    const { tabcast } = harness.open({ topics: ['news'] });
    const stop = tabcast.subscribe('admin', { tick: () => {} });
    await harness.settle(100);
    harness.browser.fetches.at(-1)!.respond(403);
    await harness.settle();
    expect(tabcast.status.phase).toBe('failed');
    const attempts = harness.browser.fetches.length;
    stop();
    await harness.settle(100);
    expect(harness.browser.fetches).toHaveLength(attempts + 1);
    expect(topicsOf(harness.browser.fetches.at(-1)!.url)).toBe('news');
  });

  it('204 closes for good until retry()', async () => {
    const harness = new Harness({}, { transport: 'fetch' });
    const { tabcast } = harness.open();
    await harness.settle();
    harness.browser.fetches[0]!.respond(204);
    await harness.settle(120_000);
    expect(tabcast.status.phase).toBe('closed');
    expect(harness.browser.fetches).toHaveLength(1);
    tabcast.retry();
    await harness.settle();
    expect(harness.browser.fetches).toHaveLength(2);
  });
});
