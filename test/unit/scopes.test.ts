import { describe, expect, it } from 'vitest';
import { Harness, openLeader } from '../support/harness.js';

describe('scopes: one per (app, user) (docs/architecture.md, Words)', () => {
  it('two users in one browser never see each other’s events, status or lock', async () => {
    const harness = new Harness();
    const ada = harness.open({ userId: 'ada' });
    const bob = harness.open({ userId: 'bob' });
    await harness.settle(10);
    expect(ada.tabcast.status.role).toBe('leader');
    expect(bob.tabcast.status.role).toBe('leader');
    expect(harness.browser.locks.held('tabcast:app:ada')).toBe(ada.tab.id);
    expect(harness.browser.locks.held('tabcast:app:bob')).toBe(bob.tab.id);
    const [adaSource, bobSource] = harness.openSources();
    adaSource!.open();
    adaSource!.emitEnvelope('tick', 'news', 'for ada', 1);
    await harness.settle();
    expect(ada.delivered.map((event) => event.data)).toEqual(['for ada']);
    expect(bob.delivered).toEqual([]);
    expect(bob.tabcast.status.phase).toBe('connecting');
    ada.tabcast.logout();
    await harness.settle();
    expect(bob.tabcast.status.phase).toBe('connecting');
    expect(bobSource!.closed).toBe(false);
  });

  it('a user switch in one tab starts from a fresh resume point', async () => {
    const harness = new Harness();
    const { tabcast } = await openLeader(harness);
    harness.theSource().emitEnvelope('tick', 'news', 'x', 77);
    await harness.settle();
    tabcast.login({ userId: 'bob' });
    await harness.settle(10);
    const source = harness.theSource();
    expect(new globalThis.URL(source.url).searchParams.get('lastEventId')).toBeNull();
    expect(tabcast.status.userId).toBe('bob');
    expect(harness.browser.locks.held('tabcast:app:ada')).toBeNull();
  });
});
