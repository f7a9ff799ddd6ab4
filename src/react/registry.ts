/**
 * What React holds on one tabcast handle: a handle subscription per mounted `useTopic`, and the
 * providers attached to it.
 *
 * A release is deferred by a grace delay. React's StrictMode mounts, unmounts and mounts again in
 * one commit, and a route change often unmounts one `useTopic('orders')` just before mounting the
 * next: without the delay each of those would drop the topic from the tab's union and add it back,
 * which the leader answers with a reconnect (a second stream). While a released subscription
 * waits out its delay the topic stays in the union, and its component hears nothing more. The
 * delay only exists to spare a reconnect: when the tab starts listening to a topic it did not
 * have, the union grows and the stream reconnects anyway, so releases still waiting are done at
 * once and ride on that one reconnect (a delay longer than the connection's topics debounce would
 * otherwise cost a second).
 *
 * Each mount is a subscription of its own, so the tab chart decides its resync as for any other:
 * a component that mounts has no state yet and is asked to resync once its topic is on an open
 * stream.
 */
import type { EventMeta, SubscribeOptions, Tabcast } from '../create-tabcast.js';
import { TabcastError, type TabcastParseError } from '../errors.js';
import type { Clock } from '../platform.js';

/** Schedules the grace delays; the default calls the page's timers (so fake timers work too). */
export type Scheduler = Clock;

/** Options of `TabcastProvider`; read once, by the first provider of a handle. */
export interface RegistryOptions {
  /**
   * How long a subscription no component holds any more stays open, in ms, in case one
   * mounts again (StrictMode, a route change).
   * @default 1000
   */
  graceMs?: number;
  /** Runs the grace delays: a fake clock in tests. @default the global `setTimeout` */
  scheduler?: Scheduler;
}

export const PROVIDER_DEFAULTS = {
  graceMs: 1_000,
  scheduler: {
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof setTimeout>),
  } satisfies Scheduler,
};

type Handler = (data: unknown, meta: EventMeta) => void;

/** One mounted `useTopic`: what it rendered last, read at delivery time. */
export interface TopicListener {
  current: {
    handlers: Record<string, Handler | undefined>;
    options: SubscribeOptions;
  };
}

interface Entry {
  topic: string;
  /** Whether a mounted component holds it; a released entry waits out its grace delay. */
  held: boolean;
  unsubscribe: () => void;
  releaseTimer: unknown;
}

export class TopicRegistry {
  readonly #tabcast: Tabcast<object>;
  readonly #graceMs: number;
  readonly #scheduler: Scheduler;
  readonly #entries = new Set<Entry>();
  #providers = 0;
  #detachTimer: unknown;

  constructor(tabcast: Tabcast<object>, options: RegistryOptions = {}) {
    const graceMs = options.graceMs ?? PROVIDER_DEFAULTS.graceMs;
    if (typeof graceMs !== 'number' || !(graceMs >= 0) || !Number.isFinite(graceMs)) {
      throw new TabcastError(
        'invalid_option',
        'tabcast/react: `graceMs` must be a finite number >= 0',
      );
    }
    const scheduler = options.scheduler ?? PROVIDER_DEFAULTS.scheduler;
    if (
      typeof scheduler?.setTimeout !== 'function' ||
      typeof scheduler.clearTimeout !== 'function'
    ) {
      throw new TabcastError(
        'invalid_option',
        'tabcast/react: `scheduler` needs setTimeout(callback, ms) and clearTimeout(id)',
      );
    }
    this.#tabcast = tabcast;
    this.#graceMs = graceMs;
    this.#scheduler = scheduler;
  }

  /**
   * A provider mounted. Returns its detach; once the last provider has been detached for the
   * grace delay, every subscription no component holds is released at once.
   */
  attach(): () => void {
    this.#providers++;
    this.#cancel(this.#detachTimer);
    this.#detachTimer = undefined;
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.#providers--;
      if (this.#providers > 0) return;
      this.#detachTimer = this.#scheduler.setTimeout(() => {
        this.#detachTimer = undefined;
        if (this.#providers === 0) this.#releaseIdle();
      }, this.#graceMs);
    };
  }

  /**
   * Subscribes `listener` to `topic` for its event names; returns the release, which ends the
   * subscription a grace delay later. Until then the topic stays on the stream, and `listener`
   * is not called any more.
   */
  acquire(topic: string, events: readonly string[], listener: TopicListener): () => void {
    if (!this.#listensTo(topic)) this.#releaseIdle();
    const entry: Entry = { topic, held: true, unsubscribe: () => {}, releaseTimer: undefined };
    const whileHeld = (run: () => void) => {
      if (entry.held) run();
    };
    const handlers: Record<string, Handler> = {};
    for (const name of events) {
      handlers[name] = (data, meta) =>
        whileHeld(() => listener.current.handlers[name]?.(data, meta));
    }
    const options: SubscribeOptions = {
      resync: () => whileHeld(() => listener.current.options.resync?.()),
      // A getter, read by the handle at delivery time: without a mounted `error` callback the
      // handle reports parse errors through its own `onError`, as it would without React.
      get error() {
        const onError = entry.held ? listener.current.options.error : undefined;
        return onError && ((error: TabcastParseError) => onError(error));
      },
    };
    entry.unsubscribe = this.#tabcast.subscribe(topic, handlers, options);
    this.#entries.add(entry);
    return () => {
      if (!entry.held) return;
      entry.held = false;
      entry.releaseTimer = this.#scheduler.setTimeout(() => {
        entry.releaseTimer = undefined;
        this.#release(entry);
      }, this.#graceMs);
    };
  }

  /** Whether any subscription of this tab, React's or not, holds `topic`. */
  #listensTo(topic: string): boolean {
    const { subscriptions } = this.#tabcast.actor.getSnapshot().context;
    return Object.values(subscriptions).some((subscription) => subscription.topic === topic);
  }

  #release(entry: Entry) {
    if (!this.#entries.delete(entry)) return;
    entry.unsubscribe();
  }

  #releaseIdle() {
    for (const entry of [...this.#entries]) {
      if (entry.held) continue;
      this.#cancel(entry.releaseTimer);
      this.#release(entry);
    }
  }

  #cancel(timer: unknown) {
    if (timer !== undefined) this.#scheduler.clearTimeout(timer);
  }
}

const registries = new WeakMap<Tabcast<object>, TopicRegistry>();

/** The one registry of `tabcast`; the first caller's options set it up. */
export function registryFor(tabcast: Tabcast<object>, options?: RegistryOptions): TopicRegistry {
  let registry = registries.get(tabcast);
  if (!registry) {
    registry = new TopicRegistry(tabcast, options);
    registries.set(tabcast, registry);
  }
  return registry;
}
