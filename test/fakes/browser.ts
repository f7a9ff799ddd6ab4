// The fetch transport loads its streaming half on its first connect; loaded here, it is ready at
// once, so a test's first `clock.advance()` sees the request.
import '../../src/transport/fetch-stream.js';
import { ChannelHub, type ChannelMessage } from './channel';
import { FakeClock } from './clock';
import type { FakeEventSource } from './event-source';
import type { FakeFetchCall } from './fetch';
import { FakeLockManager } from './locks';
import { seededRandom } from './random';
import { FakeTab } from './tab';

/** Options of {@link FakeBrowser}; a feature turned off is `undefined` in every tab's platform. */
export interface FakeBrowserOptions {
  /**
   * The one clock of every tab.
   * @default new FakeClock()
   */
  clock?: FakeClock;
  /**
   * `navigator.locks`.
   * @default true
   */
  locks?: boolean;
  /**
   * `BroadcastChannel`.
   * @default true
   */
  broadcastChannel?: boolean;
  /**
   * `EventSource`.
   * @default true
   */
  eventSource?: boolean;
  /**
   * `fetch`.
   * @default true
   */
  fetch?: boolean;
  /**
   * Seed of the tabs' `random()`: tab n (from 1) uses `seededRandom(seed + n)`.
   * @default 1
   */
  seed?: number;
}

const DEFAULTS = {
  locks: true,
  broadcastChannel: true,
  eventSource: true,
  fetch: true,
  seed: 1,
} satisfies Omit<Required<FakeBrowserOptions>, 'clock'>;

/**
 * A browser profile with many tabs in one process, driven by one {@link FakeClock}: its tabs
 * share Web Locks and BroadcastChannels, and every EventSource and fetch they open is recorded
 * for the test to play the server.
 *
 * @example
 * const browser = new FakeBrowser({ seed: 7 });
 * const [first, second] = [browser.openTab(), browser.openTab()];
 * // start tabcast in each with `platform: tab.platform`, then:
 * await browser.clock.advance(0);
 * expect(browser.openStreams()).toBe(1);
 * first.crash();
 * await browser.clock.advance(0);
 * expect(browser.locks.held('tabcast:app:u1')).toBe(second.id);
 */
export class FakeBrowser {
  readonly clock: FakeClock;
  /** The profile's Web Locks, for assertions; tabs get it only when `locks` is on. */
  readonly locks = new FakeLockManager();
  readonly #options: Required<Omit<FakeBrowserOptions, 'clock'>>;
  readonly #channels: ChannelHub;
  readonly #tabs: FakeTab[] = [];
  readonly #eventSources: FakeEventSource[] = [];
  readonly #fetches: FakeFetchCall[] = [];

  constructor(options: FakeBrowserOptions = {}) {
    const { clock = new FakeClock(), ...features } = options;
    this.clock = clock;
    this.#options = { ...DEFAULTS, ...features };
    this.#channels = new ChannelHub(clock);
  }

  /** Every tab opened so far, gone ones included, in opening order. */
  get tabs(): readonly FakeTab[] {
    return this.#tabs;
  }

  /** Every EventSource any tab created, closed ones included, in creation order. */
  get eventSources(): readonly FakeEventSource[] {
    return this.#eventSources;
  }

  /** Every fetch any tab made, finished ones included, in call order. */
  get fetches(): readonly FakeFetchCall[] {
    return this.#fetches;
  }

  /** Opens a tab with ids `tab-1`, `tab-2`, … */
  openTab(): FakeTab {
    const number = this.#tabs.length + 1;
    const options = this.#options;
    const tab = new FakeTab(`tab-${number}`, {
      clock: this.clock,
      random: seededRandom(options.seed + number),
      locks: options.locks ? this.locks : undefined,
      channels: options.broadcastChannel ? this.#channels : undefined,
      eventSources: options.eventSource ? this.#eventSources : undefined,
      fetches: options.fetch ? this.#fetches : undefined,
    });
    this.#tabs.push(tab);
    return tab;
  }

  /** Every message posted on BroadcastChannel `name` so far, with the posting tab's id. */
  channelLog(name: string): readonly ChannelMessage[] {
    return this.#channels.log(name);
  }

  /** Posts `data` on channel `name` as a foreign page would: every open channel receives it. */
  postRaw(name: string, data: unknown): void {
    this.#channels.post(name, data, null, null);
  }

  /**
   * How many server connections the whole browser holds: EventSources not CLOSED (a dropped one
   * the browser is about to reconnect counts) plus fetches pending or streaming.
   */
  openStreams(): number {
    const sources = this.#eventSources.filter((source) => source.readyState !== 2).length;
    return sources + this.#fetches.filter((call) => call.active).length;
  }
}
