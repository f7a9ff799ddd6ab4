/**
 * Bugs found by the multi-tab simulation (multi-tab.sim.test.ts) in the sign-out grace of
 * 2e26353: for `timing.signOutGraceMs` after `logout()` the tab already reports `signedOut`, but
 * its session still sits in `signedIn.signingOut`, with the scope's channel open.
 *
 * 1. Events after logout: a follower that signed out still hears the leader's relays during the
 *    grace (leadership's `channel.message` → `deliverFromLeader`) and hands them to its
 *    subscribers — even events the server published after `logout()` returned.
 * 2. A second `logout()` during the grace re-enters `signingOut` and posts the logout again,
 *    although the tab reports `signedOut`: a tab that signed in after the first logout is signed
 *    out too.
 *
 * Both passed on the commits before 2e26353, whose logout left the scope at once.
 * Both are fixed: a signed-out tab delivers nothing, and signingOut ignores a second logout.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';

describe('bug: during the sign-out grace a signed-out tab still acts in its scope', () => {
  it('delivers events of the ended session to a tab that signed out', async () => {
    const harness = new Harness();
    harness.open();
    const follower = harness.open();
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    follower.tabcast.logout();
    expect(follower.tabcast.status.phase).toBe('signedOut');
    // The leader has not heard the logout yet: it still streams, and relays this event.
    harness.theSource().emitEnvelope('tick', 'news', 'after logout', 1);
    await harness.settle();
    expect(follower.delivered).toEqual([]);
  });

  it('a second logout() signs out a tab that signed in after the first', async () => {
    const harness = new Harness();
    const first = harness.open();
    await harness.settle(10);
    first.tabcast.logout();
    // A tab signing in right after: its channel opens after the logout was posted, so that
    // logout is not for it.
    const second = harness.open();
    expect(first.tabcast.status.phase).toBe('signedOut');
    // The first tab is signed out: logging out again should change nothing.
    first.tabcast.logout();
    await harness.settle(1_000);
    expect(second.tabcast.status.userId).toBe('ada');
  });
});
