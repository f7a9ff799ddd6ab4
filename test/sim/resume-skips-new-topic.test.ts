/**
 * Regression tests for a bug the multi-tab simulation (multi-tab.sim.test.ts) found on 1b62a3f:
 * a resume id proves continuity only for the topics of the stream that delivered it, but a
 * stream that added a topic without passing through the connection's `resubscribing` state
 * resumed from that id for the new topic too, and nobody was told to resync it. Events of the new
 * topic published after its subscriber joined and before the resume id were lost silently: the
 * server's replay starts after the id, and the open announced a resync only without any id.
 *
 * Two ways a topic reached a stream without `resubscribing`:
 * - the stream dropped inside the topics debounce: `backoff` → `live` took the new topic set;
 * - the leader changed: the new leader's connection started with the whole union as its
 *   `streamTopics`, so nothing counted as added.
 *
 * Fixed by 8a50e9e ("Resync every topic a resume id does not cover"). A correct client shows the
 * missed event either delivered or its subscriber asked to resync.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';

const param = (url: string, name: string) => new URL(url).searchParams.get(name);

/** A leader streaming topic c, resumed at #1, and a second tab that has just joined with topic a. */
async function leaderAndJoiner() {
  const harness = new Harness();
  const leader = harness.open({ topics: ['c'] });
  await harness.settle(10);
  harness.theSource().open();
  harness.theSource().emitEnvelope('tick', 'c', 'c1', 1);
  await harness.settle();
  const joiner = harness.open({ topics: ['a'] });
  // The leader hears topic a; its resubscribe waits out the 50 ms topics debounce.
  await harness.settle();
  // The server publishes a#2: the one stream carries only c, so it goes to no stream.
  // Then c#3, which the stream carries: the leader (and every tab's ledger) moves to #3.
  harness.theSource().emitEnvelope('tick', 'c', 'c3', 3);
  await harness.settle();
  return { harness, leader, joiner };
}

/** What a correct client must show for a#2: delivered, or its subscriber asked to resync. */
function expectNotLostSilently(joiner: { delivered: { id: string | null }[]; resyncs: string[] }) {
  const delivered = joiner.delivered.some((event) => event.id === '2');
  const resynced = joiner.resyncs.includes('a');
  expect(delivered || resynced, `a#2 delivered: ${delivered}, resyncs: [${joiner.resyncs}]`).toBe(
    true,
  );
}

describe('a stream never resumes a newly added topic from an id that did not cover it', () => {
  it('when the debounced resubscribe adds it', async () => {
    const { harness, joiner } = await leaderAndJoiner();
    await harness.settle(100);
    const next = harness.theSource();
    expect(param(next.url, 'topics')).toBe('a,c');
    expect(param(next.url, 'lastEventId')).toBe('3');
    next.open();
    await harness.settle();
    expectNotLostSilently(joiner);
  });

  it('when the stream drops inside the topics debounce', async () => {
    const { harness, joiner } = await leaderAndJoiner();
    harness.theSource().drop();
    await harness.settle(1_000);
    const next = harness.theSource();
    expect(param(next.url, 'topics')).toBe('a,c');
    expect(param(next.url, 'lastEventId')).toBe('3');
    // The server replays every event of a and c after #3: none. a#2 is gone.
    next.open();
    await harness.settle();
    expectNotLostSilently(joiner);
  });

  it('when the leader closes inside the topics debounce', async () => {
    const { harness, leader, joiner } = await leaderAndJoiner();
    await leader.tab.close();
    await harness.settle(10);
    const next = harness.theSource();
    expect(next.tabId).toBe(joiner.tab.id);
    expect(param(next.url, 'topics')).toContain('a');
    expect(param(next.url, 'lastEventId')).toBe('3');
    next.open();
    await harness.settle();
    expectNotLostSilently(joiner);
  });
});
