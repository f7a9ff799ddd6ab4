/**
 * A tab that crashes says no `bye`, yet its topics must leave the stream (found by the
 * simulation once an empty union meant no stream): with Web Locks the leader queues for each
 * tab's presence lock, granted the moment that tab is gone; without them a fallback leader
 * calls the roll every ten heartbeats.
 */
import { describe, expect, it } from 'vitest';
import { ROLL_CALL_EVERY_BEATS } from '../../machines/leadership.utils.js';
import { TIMING_DEFAULTS } from '../../src/index.js';
import { Harness } from '../support/harness.js';

const topicsOf = (url: string) => new URL(url).searchParams.get('topics');
/** The topics the newest stream asked for (the fake server sends no heartbeat: it reconnects). */
const lastTopics = (harness: Harness) => topicsOf(harness.browser.eventSources.at(-1)!.url);

describe("a gone tab's topics leave the stream", () => {
  it('Web Locks: a crashed follower, at once, and every tab forgets it', async () => {
    const harness = new Harness();
    const leader = harness.open();
    const doomed = harness.open({ topics: ['chat'] });
    const other = harness.open({ topics: [] });
    await harness.settle(100);
    expect(topicsOf(harness.theSource().url)).toBe('chat,news');
    doomed.tab.crash();
    await harness.settle(100);
    expect(topicsOf(harness.theSource().url)).toBe('news');
    const gone = harness.browser
      .channelLog('tabcast:app:ada')
      .filter(({ data }) => (data as { type: string }).type === 'gone');
    expect(gone.map(({ from, data }) => [from, (data as { tabId: string }).tabId])).toEqual([
      [leader.tab.id, doomed.tab.id],
    ]);
    // The other follower leads next: the dead tab is not in its union either.
    await leader.tab.close();
    await harness.settle(100);
    expect(other.tabcast.status.role).toBe('leader');
    expect(harness.openSources()).toEqual([]);
    expect(other.tabcast.status.phase).toBe('idle');
  });

  it('Web Locks: the successor of a crashed leader never asks for its topics', async () => {
    const harness = new Harness();
    const leader = harness.open({ topics: ['mine'] });
    const follower = harness.open({ topics: [] });
    await harness.settle(100);
    harness.theSource().open();
    const before = harness.browser.eventSources.length;
    leader.tab.crash();
    await harness.settle(1_000);
    expect(follower.tabcast.status).toMatchObject({ role: 'leader', phase: 'idle' });
    expect(harness.browser.eventSources).toHaveLength(before);
  });

  it('a live follower is never forgotten, however long it stays', async () => {
    const harness = new Harness();
    harness.open();
    harness.open({ topics: ['chat'] });
    await harness.settle(100);
    harness.theSource().open();
    await harness.settle(10 * 60_000);
    expect(lastTopics(harness)).toBe('chat,news');
  });

  it('fallback: a crashed follower, within two roll calls; live ones answer and stay', async () => {
    const harness = new Harness({ locks: false });
    harness.open();
    const doomed = harness.open({ topics: ['chat'] });
    harness.open({ topics: ['live'] });
    await harness.settle(1_000);
    harness.theSource().open();
    expect(topicsOf(harness.theSource().url)).toBe('chat,live,news');
    doomed.tab.crash();
    const rollCall = ROLL_CALL_EVERY_BEATS * TIMING_DEFAULTS.heartbeatIntervalMs;
    await harness.settle(2 * rollCall + 1_000);
    expect(lastTopics(harness)).toBe('live,news');
    await harness.settle(5 * rollCall);
    expect(lastTopics(harness)).toBe('live,news');
  });
});
