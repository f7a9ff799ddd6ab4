import { describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';

describe('dispose (docs/api.md, The handle)', () => {
  it('leaves no timer, listener, channel, stream or lock behind', async () => {
    const harness = new Harness({ locks: false });
    const { tab, tabcast } = harness.open();
    await harness.settle(500);
    harness.theSource().open();
    const follower = harness.open();
    await harness.settle(1000);
    tabcast.dispose();
    await harness.settle();
    expect(tab.clock.pendingTimers()).toBe(0);
    for (const type of ['online', 'offline', 'pagehide', 'pageshow']) {
      expect(tab.window.listenerCount(type)).toBe(0);
    }
    expect(
      harness.browser.eventSources.filter((source) => source.tabId === tab.id && !source.closed),
    ).toHaveLength(0);
    expect(() => tabcast.subscribe('x', {})).toThrowError(/disposed/);
    // The follower hears the bye of a leader and takes over at once.
    await harness.settle(300);
    expect(follower.tabcast.status.role).toBe('leader');
  });

  it('releases the Web Lock and leaves the queue', async () => {
    const harness = new Harness();
    const leader = harness.open();
    const follower = harness.open();
    await harness.settle(10);
    follower.tabcast.dispose();
    await harness.settle();
    expect(harness.browser.locks.queued('tabcast:app:ada')).toBe(0);
    leader.tabcast.dispose();
    await harness.settle();
    expect(harness.browser.locks.held('tabcast:app:ada')).toBeNull();
  });
});
