import { describe, expect, it } from 'vitest';
import { Harness, openLeader } from '../support/harness.js';

describe('continuity and resync (docs/architecture.md, Delivery)', () => {
  it('asks subscribers to resync on first connect, not on a resume with an id', async () => {
    const harness = new Harness();
    const leader = await openLeader(harness);
    expect(leader.resyncs).toEqual(['news']);
    harness.theSource().emitEnvelope('tick', 'news', 1, 1);
    harness.theSource().drop();
    await harness.settle(2000);
    harness.theSource().open();
    await harness.settle();
    expect(leader.resyncs).toEqual(['news']);
  });

  it('asks every tab to resync on a server reset', async () => {
    const harness = new Harness();
    const leader = await openLeader(harness);
    const follower = harness.open();
    await harness.settle();
    harness.theSource().emit('tabcast', '{"type":"reset"}', { id: 50 });
    await harness.settle();
    expect(leader.resyncs).toEqual(['news', 'news']);
    expect(follower.resyncs).toEqual(['news', 'news']);
  });

  it('a topic added later resyncs once it is on the stream', async () => {
    const harness = new Harness();
    const { tabcast } = await openLeader(harness);
    harness.theSource().emitEnvelope('tick', 'news', 1, 1);
    await harness.settle();
    const resyncs: string[] = [];
    tabcast.subscribe('chat', { said: () => {} }, { resync: () => resyncs.push('chat') });
    await harness.settle(10);
    expect(resyncs).toEqual([]);
    await harness.settle(100);
    harness.theSource().open();
    await harness.settle();
    expect(resyncs).toEqual(['chat']);
  });

  it('a follower joining a topic the stream already carries resyncs without a reconnect', async () => {
    const harness = new Harness();
    await openLeader(harness);
    const created = harness.browser.eventSources.length;
    const follower = harness.open({ topics: ['news'] });
    await harness.settle(200);
    expect(harness.browser.eventSources.length).toBe(created);
    expect(follower.resyncs).toEqual(['news']);
  });
});
