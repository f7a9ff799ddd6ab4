/**
 * Every transition of the connection model, driven through a real tabcast in a fake browser:
 * one tab that leads (Web Locks), the test playing its server, network, clock and app.
 */
import { describe, expect, it } from 'vitest';
import { createTestModel } from 'xstate/graph';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { FakeEventSource } from '../fakes/index.js';
import { Harness, type TabUnderTest } from '../support/harness.js';
import { type ConnectionModelEvent, connectionModel, statesOf } from './connection.model.js';
import { StateCoverage, stateKeysOf } from './coverage.js';
import * as session from './session.model.js';

const RETRY_MS = 100;
const TIMING = {
  connectTimeoutMs: 5000,
  stallTimeoutMs: 10_000,
  stableAfterMs: 1000,
  topicsDebounceMs: 50,
  serverCloseJitterMs: RETRY_MS,
};

const coverage = new StateCoverage();

/** The leader's world: its tab, its server, its network and its app's credentials. */
class Stream {
  readonly harness: Harness;
  readonly leader: TabUnderTest;
  #refresh: ((ok: boolean) => void) | undefined;
  #topics = 0;
  readonly #unsubscribe: (() => void)[] = [];

  private constructor() {
    this.harness = new Harness(
      {},
      {
        inspect: coverage.inspect,
        // No jitter: every reconnect delay is exactly RETRY_MS, so the clock can be driven.
        backoff: { strategy: 'none', baseMs: RETRY_MS, capMs: RETRY_MS },
        timing: TIMING,
        refreshCredentials: () =>
          new Promise<boolean>((resolve) => {
            this.#refresh = resolve;
          }),
      },
    );
    this.leader = this.harness.open();
    this.#unsubscribe.push(...this.leader.unsubscribe);
  }

  static async open(): Promise<Stream> {
    const stream = new Stream();
    await stream.settle();
    return stream;
  }

  get status() {
    return this.leader.tabcast.status;
  }

  state() {
    return statesOf(this.leader.tabcast.actor.getSnapshot());
  }

  settle(ms = 0) {
    return this.harness.settle(ms);
  }

  source(): FakeEventSource {
    return this.harness.theSource();
  }

  /** A fatal failure of the connect whose status the transport learns with one probe. */
  async refuse(status: number) {
    const source = this.source();
    source.fail();
    await this.settle();
    const probe = this.harness.browser.fetches.at(-1);
    expect(probe?.url).toBe(source.url);
    probe!.respond(status);
    await this.settle();
  }

  readonly drivers: Record<ConnectionModelEvent['type'], () => Promise<void>> = {
    'server.accept': async () => {
      this.source().open();
      await this.settle();
    },
    'server.unauthorized': () => this.refuse(401),
    'server.forbid': () => this.refuse(403),
    'server.noContent': () => this.refuse(204),
    'server.closeStream': async () => {
      this.source().emit('tabcast', '{"type":"server_close","reason":"replaced"}');
      await this.settle();
    },
    'network.drop': async () => {
      this.source().drop();
      await this.settle();
    },
    'network.online': async () => {
      this.leader.tab.setOnline(false);
      await this.settle();
      this.leader.tab.setOnline(true);
      await this.settle();
    },
    'clock.connectTimeout': () => this.settle(TIMING.connectTimeoutMs),
    'clock.stall': () => this.settle(TIMING.stallTimeoutMs),
    'clock.retryDelay': () => this.settle(RETRY_MS),
    'user.retry': async () => {
      this.leader.tabcast.retry();
      await this.settle();
    },
    'user.subscribe': async () => {
      this.#topics += 1;
      this.#unsubscribe.push(
        this.leader.tabcast.subscribe(`topic-${this.#topics}`, { tick: () => {} }),
      );
      await this.settle(TIMING.topicsDebounceMs);
      expect(new URL(this.source().url).searchParams.get('topics')).toContain(
        `topic-${this.#topics}`,
      );
    },
    'user.unsubscribeAll': async () => {
      for (const stop of this.#unsubscribe.splice(0)) stop();
      await this.settle(TIMING.topicsDebounceMs);
    },
    'app.refresh': async () => {
      expect(this.#refresh).toBeDefined();
      this.#refresh?.(true);
      this.#refresh = undefined;
      await this.settle();
    },
  };

  /** What else must hold in each state of the model, beyond the chart's state value. */
  readonly checks: Record<string, () => void> = {
    'live.connecting': () => {
      expect(this.source().readyState).toBe(0);
      expect(['connecting', 'reconnecting']).toContain(this.status.phase);
    },
    'live.open.receiving': () => {
      expect(this.source().readyState).toBe(1);
      expect(this.status.phase).toBe('open');
    },
    idle: () => {
      expect(this.harness.openSources()).toEqual([]);
      expect(this.status.phase).toBe('idle');
      // Nothing to wait for: no connect timeout, no reconnect delay, no stall timer.
      expect(this.harness.clock.pendingTimers()).toBe(0);
    },
    backoff: () => {
      expect(this.harness.openSources()).toEqual([]);
      expect(this.status.phase).toBe('reconnecting');
      expect(this.status.retryAt).toBe(this.harness.clock.now() + RETRY_MS);
    },
    serverClosed: () => {
      expect(this.harness.openSources()).toEqual([]);
      expect(this.status.phase).toBe('reconnecting');
    },
    unauthorized: () => {
      expect(this.harness.openSources()).toEqual([]);
      expect(session.statesOf(this.leader.tabcast.actor.getSnapshot())).toEqual({
        signedIn: 'refreshing',
      });
    },
    failed: () => {
      expect(this.harness.openSources()).toEqual([]);
      expect(this.status.phase).toBe('failed');
      expect(this.status.error?.code).toBe('forbidden');
    },
    closed: () => {
      expect(this.harness.openSources()).toEqual([]);
      expect(this.status.phase).toBe('closed');
    },
  };

  dispose() {
    for (const entry of this.harness.tabs) entry.tabcast.dispose();
  }
}

const leaves = stateKeysOf(connectionModel, { leavesOnly: true });

describe('connection model on the real tabcast', () => {
  const model = createTestModel(connectionModel);

  for (const path of model.getShortestPaths()) {
    it(path.description, async () => {
      const stream = await Stream.open();
      const states = Object.fromEntries(
        leaves.map((key) => [
          key,
          (snapshot: { value: unknown }) => {
            expect(stream.state()).toEqual(snapshot.value);
            stream.checks[key]?.();
          },
        ]),
      );
      await path.test({ states, events: stream.drivers });
      stream.dispose();
    });
  }

  it('reached every state of the real connection chart', () => {
    const report = coverage.report(connectionMachine);
    console.log(report.line);
    expect(report.missing).toEqual([]);
  });
});
