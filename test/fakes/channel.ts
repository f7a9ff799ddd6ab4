import type { BroadcastChannelLike } from '../../src/platform';
import type { FakeClock } from './clock';
import type { TabContext } from './tab-context';

/** One message posted on a channel, as `FakeBrowser.channelLog()` reports it. */
export interface ChannelMessage {
  /** The id of the posting tab; null for a message injected with `FakeBrowser.postRaw()`. */
  readonly from: string | null;
  /** A structured clone of what was posted. */
  readonly data: unknown;
  /** The fake time of the post. */
  readonly at: number;
}

/**
 * The BroadcastChannels of one browser profile. A message reaches every other open channel of
 * the same name, each as its own 0 ms task on the fake clock, in the order of posting.
 */
export class ChannelHub {
  readonly #clock: FakeClock;
  readonly #open = new Map<string, Set<FakeBroadcastChannel>>();
  readonly #log = new Map<string, ChannelMessage[]>();

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  /** Every message posted on channel `name` so far. */
  log(name: string): readonly ChannelMessage[] {
    return [...(this.#log.get(name) ?? [])];
  }

  /** The `BroadcastChannel` constructor of `tab`; the tab's channels close when it goes away. */
  channelClassFor(tab: TabContext): new (name: string) => FakeBroadcastChannel {
    const hub = this;
    return class extends FakeBroadcastChannel {
      constructor(name: string) {
        super(name, tab, hub);
        hub.#open.set(name, (hub.#open.get(name) ?? new Set()).add(this));
        tab.whenGone(() => this.close());
      }
    };
  }

  /**
   * Clones `data` at once (so later changes by the sender do not leak, and what cannot be cloned
   * throws here, like the real one), logs it and queues its delivery to every open channel of
   * `name` but the sender.
   */
  post(name: string, data: unknown, sender: FakeBroadcastChannel | null, from: string | null) {
    const serialized = structuredClone(data);
    const messages = this.#log.get(name) ?? [];
    messages.push({ from, data: serialized, at: this.#clock.now() });
    this.#log.set(name, messages);
    for (const channel of this.#open.get(name) ?? []) {
      if (channel !== sender) channel.queueDelivery(serialized);
    }
  }

  leave(channel: FakeBroadcastChannel): void {
    this.#open.get(channel.name)?.delete(channel);
  }
}

/**
 * A `BroadcastChannel` of one fake tab. Create it through `tab.platform.BroadcastChannel`.
 * Posting on a channel the page closed throws `InvalidStateError`, as in a browser; posting from
 * a tab that is gone goes nowhere.
 */
export class FakeBroadcastChannel implements BroadcastChannelLike {
  readonly name: string;
  onmessage: ((event: MessageEvent) => unknown) | null = null;
  readonly #tab: TabContext;
  readonly #hub: ChannelHub;
  #closed = false;

  constructor(name: string, tab: TabContext, hub: ChannelHub) {
    this.name = String(name);
    this.#tab = tab;
    this.#hub = hub;
  }

  /** True once `close()` ran, by the page or because the tab went away. */
  get closed(): boolean {
    return this.#closed;
  }

  postMessage(message: unknown): void {
    if (!this.#tab.alive) return;
    if (this.#closed) throw new DOMException('BroadcastChannel is closed', 'InvalidStateError');
    this.#hub.post(this.name, message, this, this.#tab.id);
  }

  close(): void {
    this.#closed = true;
    this.#hub.leave(this);
  }

  /** Delivers on the owning tab's clock, so a tab that goes away first never hears it. */
  queueDelivery(serialized: unknown): void {
    this.#tab.clock.setBrowserTimeout(() => {
      if (this.#closed) return;
      const event = { type: 'message', data: structuredClone(serialized), target: this };
      this.onmessage?.(event as unknown as MessageEvent);
    }, 0);
  }
}
