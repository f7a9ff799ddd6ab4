/**
 * Every transition of the session model, driven through a real tabcast in a fake browser: one
 * tab (fetch transport, so the test answers each connect with a real HTTP status), the app's
 * `refreshCredentials` held open until the test settles it, and another tab of the scope
 * played by channel messages.
 */
import { describe, expect, it } from 'vitest';
import { createTestModel } from 'xstate/graph';
import { sessionMachine } from '../../machines/session.machine.js';
import { TIMING_DEFAULTS } from '../../src/index.js';
import { type FakeFetchCall, sseFrame } from '../fakes/index.js';
import { Harness, type TabUnderTest } from '../support/harness.js';
import * as connection from './connection.model.js';
import { StateCoverage, stateKeysOf } from './coverage.js';
import { type SessionModelEvent, sessionModel, statesOf } from './session.model.js';

const USERS = ['ada', 'bob'];

const coverage = new StateCoverage();

/** One tab, its user, its server and its app's credentials. */
class Session {
  readonly harness: Harness;
  readonly entry: TabUnderTest;
  /** The user signed in last (kept after sign-out, to check that scope was left). */
  user = USERS[0]!;
  refreshes = 0;
  #refresh: ((ok: boolean) => void) | undefined;

  private constructor() {
    this.harness = new Harness(
      {},
      {
        inspect: coverage.inspect,
        transport: 'fetch',
        refreshCredentials: () => {
          this.refreshes += 1;
          return new Promise<boolean>((resolve) => {
            this.#refresh = resolve;
          });
        },
      },
    );
    this.entry = this.harness.open({ userId: null });
  }

  static async open(): Promise<Session> {
    const session = new Session();
    await session.settle();
    return session;
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

  lockOf(user: string) {
    return `tabcast:app:${user}`;
  }

  /** The connect the server has not answered yet. */
  pendingConnect(): FakeFetchCall {
    const call = this.harness.browser.fetches.at(-1);
    expect(call?.active && call.status === undefined).toBe(true);
    return call!;
  }

  async login(user: string) {
    this.user = user;
    this.tabcast.login({ userId: user });
    await this.settle();
  }

  async settleRefresh(ok: boolean) {
    expect(this.#refresh).toBeDefined();
    this.#refresh?.(ok);
    this.#refresh = undefined;
    await this.settle();
  }

  readonly drivers: Record<SessionModelEvent['type'], () => Promise<void>> = {
    'user.login': () => this.login(this.user),
    'user.switch': () => this.login(USERS.find((user) => user !== this.user)!),
    'user.logout': async () => {
      this.tabcast.logout();
      await this.settle();
      // Every tab of the scope signs out with this one.
      expect(this.harness.browser.channelLog(this.lockOf(this.user))).toContainEqual(
        expect.objectContaining({
          from: this.entry.tab.id,
          data: expect.objectContaining({ type: 'logout' }),
        }),
      );
    },
    'peer.logout': async () => {
      this.harness.browser.postRaw(this.lockOf(this.user), {
        v: 1,
        scope: `app:${this.user}`,
        from: 'tab-0',
        type: 'logout',
      });
      await this.settle();
    },
    'server.unauthorized': async () => {
      this.pendingConnect().respond(401);
      await this.settle();
    },
    'server.accept': async () => {
      this.pendingConnect().respond(200);
      await this.settle();
    },
    'server.forceLogout': async () => {
      const call = this.pendingConnect();
      call.respond(200);
      await this.settle();
      call.write(sseFrame({ event: 'tabcast', data: '{"type":"force_logout"}' }));
      await this.settle();
    },
    'app.refresh': () => this.settleRefresh(true),
    'app.refuse': () => this.settleRefresh(false),
  };

  /** What else must hold in each state of the model, beyond the chart's state value. */
  readonly checks: Record<string, () => void> = {
    signedOut: () => {
      expect(this.tabcast.status).toMatchObject({ phase: 'signedOut', userId: null, role: 'none' });
      expect(this.harness.browser.openStreams()).toBe(0);
      for (const user of USERS) {
        expect(this.harness.browser.locks.held(this.lockOf(user))).toBeNull();
        expect(this.harness.browser.locks.queued(this.lockOf(user))).toBe(0);
      }
    },
    'signedIn.active': () => {
      expect(this.tabcast.status).toMatchObject({ userId: this.user, role: 'leader' });
      expect(this.harness.browser.locks.held(this.lockOf(this.user))).toBe(this.entry.tab.id);
      for (const user of USERS.filter((other) => other !== this.user)) {
        expect(this.harness.browser.locks.held(this.lockOf(user))).toBeNull();
      }
    },
    'signedIn.refreshing': () => {
      expect(this.#refresh).toBeDefined();
      expect(connection.statesOf(this.tabcast.actor.getSnapshot())).toBe('unauthorized');
      expect(this.tabcast.status.phase).not.toBe('signedOut');
    },
    'signedIn.verifying': () => {
      expect(this.refreshes).toBe(1);
      expect(connection.statesOf(this.tabcast.actor.getSnapshot())).toEqual({
        live: 'connecting',
      });
      this.pendingConnect();
    },
  };

  dispose() {
    this.tabcast.dispose();
  }
}

const leaves = stateKeysOf(sessionModel, { leavesOnly: true });

describe('session model on the real tabcast', () => {
  const model = createTestModel(sessionModel);

  for (const path of model.getShortestPaths()) {
    it(path.description, async () => {
      const session = await Session.open();
      const states = Object.fromEntries(
        leaves.map((key) => [
          key,
          (snapshot: { value: unknown }) => {
            expect(session.state()).toEqual(snapshot.value);
            session.checks[key]?.();
          },
        ]),
      );
      await path.test({ states, events: session.drivers });
      session.dispose();
    });
  }

  it('reached every state of the real session chart', () => {
    const report = coverage.report(sessionMachine);
    console.log(report.line);
    expect(report.missing).toEqual([]);
  });
});
