/**
 * One owner for the resume point and for resync (issue 9): the tab's ledger moves on delivered
 * events and on a server `reset`, a connection reads it at each attempt, and the tab chart alone
 * decides which subscriptions resync. A status change is a change a person would see.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';

const resumeIdOf = (url: string) => new URL(url).searchParams.get('lastEventId');

describe('the resume point', () => {
  it('moves on a reset in every tab, so a reconnect and a failover resume from it', async () => {
    const harness = new Harness();
    const [leader, follower] = [harness.open(), harness.open()];
    await harness.settle(100);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'news', 'one', 1);
    await harness.settle();
    harness.theSource().emit('tabcast', '{"type":"reset"}', { id: 500 });
    await harness.settle();
    expect(leader.tabcast.diagnostics().lastEventId).toBe('500');
    expect(follower.tabcast.diagnostics().lastEventId).toBe('500');

    harness.theSource().drop();
    await harness.settle(60_000);
    expect(resumeIdOf(harness.theSource().url)).toBe('500');

    leader.tab.crash();
    await harness.settle(100);
    expect(follower.tabcast.status.role).toBe('leader');
    expect(resumeIdOf(harness.theSource().url)).toBe('500');
  });

  it('a stream no tab wants any more is forgotten: wanted again, it starts afresh', async () => {
    const harness = new Harness();
    const { tabcast, unsubscribe } = harness.open();
    await harness.settle(10);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'news', 'one', 5);
    await harness.settle();
    unsubscribe[0]!();
    await harness.settle(100);
    expect(harness.openSources()).toHaveLength(0);
    tabcast.subscribe('news', { tick: () => {} });
    await harness.settle(100);
    expect(resumeIdOf(harness.theSource().url)).toBeNull();
  });

  it('a user switch in solo mode resumes nothing of the previous user', async () => {
    const harness = new Harness({ broadcastChannel: false, locks: false });
    const { tabcast } = harness.open();
    await harness.settle(10);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'news', 'for ada', 41);
    await harness.settle();
    tabcast.login({ userId: 'bob' });
    await harness.settle(10);
    expect(tabcast.status.userId).toBe('bob');
    expect(resumeIdOf(harness.theSource().url)).toBeNull();
  });
});

describe('resync, decided by the tab chart', () => {
  it('each subscription once: the first open, a new subscription on an open stream, a reset', async () => {
    const harness = new Harness();
    const leader = harness.open();
    const follower = harness.open();
    await harness.settle(100);
    harness.theSource().open();
    await harness.settle();
    expect([leader.resyncs, follower.resyncs]).toEqual([['news'], ['news']]);

    const late: string[] = [];
    follower.tabcast.subscribe('news', { tick: () => {} }, { resync: () => late.push('late') });
    expect(late).toEqual([]); // not before `subscribe` returned
    await harness.settle();
    expect(late).toEqual(['late']);

    harness.theSource().emit('tabcast', '{"type":"reset"}', { id: 9 });
    harness.theSource().emit('tabcast', '{"type":"heartbeat"}');
    follower.tab.platform.window.dispatchEvent(new Event('online'));
    await harness.settle(10_000);
    expect([leader.resyncs, follower.resyncs, late]).toEqual([
      ['news', 'news'],
      ['news', 'news'],
      ['late', 'late'],
    ]);
  });

  it('a resume that covers the topics asks nobody; a topic it does not cover is asked', async () => {
    const harness = new Harness();
    const tab = harness.open();
    await harness.settle(100);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'news', 1, 1);
    await harness.settle();
    harness.theSource().drop();
    await harness.settle(60_000);
    harness.theSource().open();
    await harness.settle();
    expect(tab.resyncs).toEqual(['news']);

    const chat: string[] = [];
    tab.tabcast.subscribe('chat', { said: () => {} }, { resync: () => chat.push('chat') });
    await harness.settle(100);
    harness.theSource().open();
    await harness.settle();
    expect(tab.resyncs).toEqual(['news']);
    expect(chat).toEqual(['chat']);
  });

  it('a topic that left the stream and came back is a gap: its subscription, resynced once, is asked again', async () => {
    const harness = new Harness();
    harness.open({ topics: ['news'] });
    await harness.settle(100);
    const follower = harness.open({ topics: ['chat'] });
    await harness.settle(500);
    harness.theSource().open();
    await harness.settle();
    expect(follower.resyncs).toEqual(['chat']);
    // In the back/forward cache the follower is gone from the scope: the stream drops chat...
    follower.tab.pagehide();
    await harness.settle(500);
    harness.theSource().open();
    harness.theSource().emitEnvelope('tick', 'news', 'while away', 1);
    await harness.settle();
    // ...and takes it again from a resume point that proves only news.
    follower.tab.pageshow();
    await harness.settle(500);
    expect(resumeIdOf(harness.theSource().url)).toBe('1');
    harness.theSource().open();
    await harness.settle();
    expect(follower.resyncs).toEqual(['chat', 'chat']);
  });
});

describe('status', () => {
  it('changes when a person would see it: not on events, not on repeated reports', async () => {
    const harness = new Harness();
    const leader = harness.open();
    const follower = harness.open();
    const seen: string[] = [];
    for (const { tabcast } of [leader, follower]) {
      tabcast.onStatus((status) => seen.push(`${status.role} · ${status.phase}`));
    }
    await harness.settle(100);
    harness.theSource().open();
    await harness.settle();
    const opened = [...seen];
    for (let id = 1; id <= 5; id++) harness.theSource().emitEnvelope('tick', 'news', id, id);
    harness.open(); // a third tab says hello: the leader reports its state again
    await harness.settle(10_000); // past stableAfterMs: reported again, unchanged
    expect(seen).toEqual(opened);
    expect(opened.slice(-2).sort()).toEqual(['follower · open', 'leader · open']);
  });
});
