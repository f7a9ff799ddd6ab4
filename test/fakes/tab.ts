import type { Platform } from '../../src/platform';
import type { ChannelHub, FakeBroadcastChannel } from './channel';
import { type FakeClock, flushMicrotasks, TabClock } from './clock';
import { eventSourceClassFor, type FakeEventSource } from './event-source';
import { FakeEventTarget } from './events';
import { FakeFetchCall } from './fetch';
import type { FakeLockManager, TabLockManager } from './locks';
import type { TabContext } from './tab-context';

/** A tab's `document`: visibility and its `visibilitychange` event. */
export class FakeDocument extends FakeEventTarget {
  #visibilityState: DocumentVisibilityState = 'visible';

  get visibilityState(): DocumentVisibilityState {
    return this.#visibilityState;
  }

  /** Sets the state and fires `visibilitychange` when it changed. */
  setVisibilityState(state: DocumentVisibilityState): void {
    if (state === this.#visibilityState) return;
    this.#visibilityState = state;
    this.dispatchEvent({ type: 'visibilitychange' } as Event);
  }
}

/** The {@link Platform} of a fake tab, with the fakes' own types so tests reach their controls. */
export interface FakePlatform extends Platform {
  EventSource:
    | (new (
        url: string | URL,
        init?: { withCredentials?: boolean },
      ) => FakeEventSource)
    | undefined;
  BroadcastChannel: (new (name: string) => FakeBroadcastChannel) | undefined;
  locks: TabLockManager | undefined;
  fetch: typeof fetch | undefined;
  window: FakeEventTarget;
  document: FakeDocument;
  clock: TabClock;
  queueTask: (run: () => void) => void;
}

/** Which browser features a tab gets, and the browser-wide state its fakes share. */
export interface TabEnvironment {
  readonly clock: FakeClock;
  readonly random: () => number;
  readonly locks: FakeLockManager | undefined;
  readonly channels: ChannelHub | undefined;
  readonly eventSources: FakeEventSource[] | undefined;
  readonly fetches: FakeFetchCall[] | undefined;
}

/**
 * One tab of a {@link FakeBrowser}: pass `tab.platform` to tabcast, then drive the tab's life.
 * Once closed or crashed it is gone for good: its timers never fire, its channels, streams and
 * fetches are closed, its locks are released and its queued lock requests dropped, and none of
 * its callbacks runs again. Controls called on a gone tab throw.
 *
 * @example
 * const tab = browser.openTab();
 * const tabcast = createTabcast({ url: '/events', platform: tab.platform });
 * tab.setHidden(true);
 * await tab.close();
 */
export class FakeTab implements TabContext {
  readonly id: string;
  readonly clock: TabClock;
  /** The tab's `window`: `online`, `offline`, `pagehide`, `pageshow`. */
  readonly window = new FakeEventTarget();
  readonly document = new FakeDocument();
  readonly platform: FakePlatform;
  #alive = true;
  #online = true;
  readonly #cleanups: (() => void)[] = [];

  constructor(id: string, environment: TabEnvironment) {
    this.id = id;
    this.clock = new TabClock(environment.clock);
    const { channels, eventSources, fetches, locks } = environment;
    this.platform = {
      EventSource: eventSources ? eventSourceClassFor(this, eventSources) : undefined,
      BroadcastChannel: channels?.channelClassFor(this),
      locks: locks?.forTab(this),
      fetch: fetches ? FakeFetchCall.fetchFor(this, fetches) : undefined,
      window: this.window,
      document: this.document,
      random: environment.random,
      now: () => this.clock.now(),
      clock: this.clock,
      // A task of its own on the tab's clock, as a MessageChannel message would be.
      queueTask: (run) => this.clock.setBrowserTimeout(run, 0),
    };
  }

  /** False once the tab is closed or crashed. */
  get alive(): boolean {
    return this.#alive;
  }

  /** What `navigator.onLine` would say. */
  get online(): boolean {
    return this.#online;
  }

  /** Runs `cleanup` when the tab goes away, or at once if it already has. */
  whenGone(cleanup: () => void): void {
    if (this.#alive) this.#cleanups.push(cleanup);
    else cleanup();
  }

  /**
   * Closes the tab the way a user does: `pagehide` (not persisted), then the document turns
   * hidden, pending microtasks run, and the tab goes away.
   */
  async close(): Promise<void> {
    this.#expectAlive('close');
    this.#firePageTransition('pagehide', false);
    this.document.setVisibilityState('hidden');
    await flushMicrotasks();
    this.#goAway();
  }

  /** The tab's process dies: it goes away at once, without `pagehide` or any other callback. */
  crash(): void {
    this.#expectAlive('crash');
    this.#goAway();
  }

  /** Fires `pagehide` as when the page enters the back/forward cache; the tab stays alive. */
  pagehide(): void {
    this.#expectAlive('pagehide');
    this.#firePageTransition('pagehide', true);
  }

  /** Fires `pageshow` as when the page comes back from the back/forward cache. */
  pageshow(): void {
    this.#expectAlive('pageshow');
    this.#firePageTransition('pageshow', true);
  }

  /** Changes connectivity, firing `online` or `offline` when it changed. */
  setOnline(online: boolean): void {
    this.#expectAlive('setOnline');
    if (online === this.#online) return;
    this.#online = online;
    this.window.dispatchEvent({ type: online ? 'online' : 'offline' } as Event);
  }

  /** Hides or shows the tab: `document.visibilityState` and `visibilitychange` when it changed. */
  setHidden(hidden: boolean): void {
    this.#expectAlive('setHidden');
    this.document.setVisibilityState(hidden ? 'hidden' : 'visible');
    this.clock.setHidden(hidden);
  }

  #firePageTransition(type: 'pagehide' | 'pageshow', persisted: boolean): void {
    this.window.dispatchEvent({ type, persisted } as PageTransitionEvent);
  }

  #goAway(): void {
    this.#alive = false;
    this.clock.stop();
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  #expectAlive(action: string): void {
    if (!this.#alive) throw new Error(`${this.id}: cannot ${action}, the tab is already gone`);
  }
}
