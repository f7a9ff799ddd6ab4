/**
 * Every path of the streams model, through real tabcast handles on the plain wire in a fake
 * browser: whatever the order, the scope holds exactly one open request per wanted endpoint,
 * all of them the leader's, and none for an endpoint no tab wants.
 */
import { describe, expect, it } from 'vitest';
import { createTestModel } from 'xstate/graph';
import { streamsMachine } from '../../machines/streams.machine.js';
import { Harness, type TabUnderTest } from '../support/harness.js';
import { StateCoverage, stateKeysOf } from './coverage.js';
import { type StreamsModelEvent, streamsModel } from './streams.model.js';

const BASE = 'https://app.test/sse/';
const coverage = new StateCoverage();

class Scope {
  readonly harness = new Harness({}, { url: BASE, wire: 'plain', inspect: coverage.inspect });
  // Enough tabs that two failovers still leave a follower.
  readonly tabs: TabUnderTest[] = Array.from({ length: 4 }, () =>
    this.harness.open({ topics: [] }),
  );
  readonly #dropA: (() => void)[] = [];

  alive() {
    return this.tabs.filter((entry) => entry.tab.alive);
  }

  leader() {
    return this.alive().find((entry) => entry.tabcast.status.role === 'leader')!;
  }

  followers() {
    return this.alive().filter((entry) => entry.tabcast.status.role === 'follower');
  }

  readonly drivers: Record<StreamsModelEvent['type'], () => Promise<void>> = {
    // Only followers want `a`: the leader streams what it does not listen to itself.
    'tabs.wantA': async () => {
      for (const { tabcast } of this.followers()) {
        this.#dropA.push(tabcast.subscribe('a', { message: () => {} }));
      }
      await this.harness.settle(100);
    },
    'tabs.wantB': async () => {
      for (const { tabcast } of this.alive()) tabcast.subscribe('b', { message: () => {} });
      await this.harness.settle(100);
    },
    'tabs.dropA': async () => {
      for (const stop of this.#dropA.splice(0)) stop();
      await this.harness.settle(100);
    },
    'leader.close': async () => {
      await this.leader().tab.close();
      await this.harness.settle(100);
    },
  };

  expectStreams(endpoints: string[]) {
    const open = this.harness.openSources();
    expect(open.map((source) => source.url.slice(BASE.length)).sort()).toEqual(endpoints);
    expect(new Set(open.map((source) => source.tabId))).toEqual(
      new Set(endpoints.length > 0 ? [this.leader().tab.id] : []),
    );
  }
}

describe('streams model on the real tabcast (plain wire)', () => {
  const model = createTestModel(streamsModel);

  // Every simple path, so a failover is taken with one wanted endpoint and with two.
  for (const path of model.getSimplePaths()) {
    it(path.description, async () => {
      const scope = new Scope();
      await scope.harness.settle(100);
      await path.test({
        states: Object.fromEntries(
          stateKeysOf(streamsModel).map((key) => [
            key,
            () => scope.expectStreams(key === 'none' ? [] : key.split('')),
          ]),
        ),
        events: scope.drivers,
      });
    });
  }

  it('reached every state of the real streams chart', () => {
    const report = coverage.report(streamsMachine);
    console.log(report.line);
    expect(report.missing).toEqual([]);
  });
});
