/**
 * Every transition of the tab model, driven through a real tabcast in a fake browser: a tab
 * signs in (and leads: it holds the lock, the channel and the stream), signs out, and is
 * disposed from either, after which nothing of it may remain.
 */
import { describe, expect, it } from 'vitest';
import { createTestModel } from 'xstate/graph';
import { tabMachine } from '../../machines/tab.machine.js';
import { TabcastError, TIMING_DEFAULTS } from '../../src/index.js';
import { Harness, type TabUnderTest } from '../support/harness.js';
import { StateCoverage, stateKeysOf } from './coverage.js';
import { statesOf, type TabModelEvent, tabModel } from './tab.model.js';

const LOCK = 'tabcast:app:ada';
const coverage = new StateCoverage();

class Tab {
  readonly harness = new Harness({}, { inspect: coverage.inspect });
  #entry: TabUnderTest | undefined;

  get entry(): TabUnderTest {
    expect(this.#entry, 'created by page.create or server.create').toBeDefined();
    return this.#entry!;
  }

  get tabcast() {
    return this.entry.tabcast;
  }

  state() {
    return statesOf(this.tabcast.actor.getSnapshot());
  }

  /** Past the sign-out grace, so a logout has left the scope when the model says signed out. */
  settle(ms = TIMING_DEFAULTS.signOutGraceMs) {
    return this.harness.settle(ms);
  }

  readonly drivers: Record<TabModelEvent['type'], () => Promise<void>> = {
    'page.create': async () => {
      this.#entry = this.harness.open({ userId: null });
      await this.settle();
    },
    'server.create': async () => {
      this.#entry = this.harness.open({ page: false });
      this.tabcast.retry();
      await this.settle(60_000);
    },
    'user.login': async () => {
      this.tabcast.login({ userId: 'ada' });
      await this.settle();
    },
    'user.logout': async () => {
      this.tabcast.logout();
      await this.settle();
    },
    'user.dispose': async () => {
      this.tabcast.dispose();
      await this.settle();
    },
  };

  /** What else must hold in each state of the model, beyond the chart's state value. */
  readonly checks: Record<string, () => void> = {
    inert: () => {
      expect(this.tabcast.status).toMatchObject({ phase: 'inert', role: 'none', userId: null });
      expect(this.harness.browser.channelLog(LOCK)).toEqual([]);
      expect(this.harness.browser.locks.held(LOCK)).toBeNull();
      expect(this.harness.browser.locks.queued(LOCK)).toBe(0);
      expect(this.harness.browser.eventSources).toEqual([]);
      expect(this.harness.browser.fetches).toEqual([]);
      expect(this.entry.tab.clock.pendingTimers()).toBe(0);
    },
    'active.signedOut': () => {
      expect(this.tabcast.status).toMatchObject({ phase: 'signedOut', role: 'none' });
      expect(this.harness.openSources()).toEqual([]);
      expect(this.harness.browser.locks.held(LOCK)).toBeNull();
    },
    'active.signedIn': () => {
      expect(this.tabcast.status).toMatchObject({ userId: 'ada', role: 'leader' });
      expect(this.harness.openSources()).toHaveLength(1);
      expect(this.harness.browser.locks.held(LOCK)).toBe(this.entry.tab.id);
    },
    disposed: () => {
      expect(this.tabcast.actor.getSnapshot().status).not.toBe('active');
      expect(this.harness.openSources()).toEqual([]);
      expect(this.harness.browser.locks.held(LOCK)).toBeNull();
      expect(this.harness.browser.locks.queued(LOCK)).toBe(0);
      expect(this.entry.tab.clock.pendingTimers()).toBe(0);
      expect(() => this.tabcast.login({ userId: 'ada' })).toThrowError(TabcastError);
    },
  };
}

const leaves = stateKeysOf(tabModel, { leavesOnly: true });

describe('tab model on the real tabcast', () => {
  const model = createTestModel(tabModel);

  for (const path of model.getShortestPaths()) {
    it(path.description, async () => {
      const tab = new Tab();
      const states = Object.fromEntries(
        leaves
          .filter((key) => key !== 'unborn')
          .map((key) => [
            key,
            () => {
              // The model splits `active` by sign-in; the real chart has one `active`.
              expect(tab.state()).toBe(key.split('.')[0]);
              tab.checks[key]?.();
            },
          ]),
      );
      await path.test({ states, events: tab.drivers });
    });
  }

  it('reached every state of the real tab chart', () => {
    const report = coverage.report(tabMachine);
    console.log(report.line);
    expect(report.missing).toEqual([]);
  });
});
