/**
 * What React holds on one tabcast handle: its `useTopic` subscriptions, shared and refcounted by
 * (topic, event names), and the providers attached to it.
 *
 * A release is deferred by a grace delay. React's StrictMode mounts, unmounts and mounts again in
 * one commit, and a route change often unmounts one `useTopic('orders')` just before mounting the
 * next: without the delay each of those would drop the topic from the tab's union and add it back,
 * which the leader answers with a reconnect (a second stream). The delay only exists to spare a
 * reconnect: when the tab starts listening to a topic it did not have, the union grows and the
 * stream reconnects anyway, so releases still waiting are done at once and ride on that one
 * reconnect (a delay longer than the connection's topics debounce would otherwise cost a second).
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
  listeners: Set<TopicListener>;
  unsubscribe: () => void;
  releaseTimer: unknown;
  /** An event arrived while no component listened: whoever joins next must resync. */
  missedEvents: boolean;
}

export class TopicRegistry {
  readonly #tabcast: Tabcast<object>;
  readonly #graceMs: number;
  readonly #scheduler: Scheduler;
  readonly #entries = new Map<string, Entry>();
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
   * Holds `topic` for `listener`'s event names; returns the release. Listeners with the same topic
   * and event names share one `tabcast.subscribe`, made by the first and ended a grace delay
   * after the last one left.
   */
  acquire(topic: string, events: readonly string[], listener: TopicListener): () => void {
    const key = JSON.stringify([topic, [...events].sort()]);
    let entry = this.#entries.get(key);
    if (!entry) {
      if (!this.#listensTo(topic)) this.#releaseIdle();
      entry = this.#subscribe(topic, events);
      this.#entries.set(key, entry);
    }
    this.#cancel(entry.releaseTimer);
    entry.releaseTimer = undefined;
    entry.listeners.add(listener);
    if (entry.missedEvents) {
      entry.missedEvents = false;
      listener.current.options.resync?.();
    }
    const held = entry;
    let holding = true;
    return () => {
      if (!holding) return;
      holding = false;
      held.listeners.delete(listener);
      if (held.listeners.size > 0) return;
      held.releaseTimer = this.#scheduler.setTimeout(() => {
        held.releaseTimer = undefined;
        if (held.listeners.size === 0) this.#release(key, held);
      }, this.#graceMs);
    };
  }

  #subscribe(topic: string, events: readonly string[]): Entry {
    const listeners = new Set<TopicListener>();
    const entry: Entry = {
      listeners,
      unsubscribe: () => {},
      releaseTimer: undefined,
      missedEvents: false,
    };
    const handlers: Record<string, Handler> = {};
    for (const name of events) {
      handlers[name] = (data, meta) => {
        if (listeners.size === 0) entry.missedEvents = true;
        everyListener(listeners, (listener) => listener.current.handlers[name]?.(data, meta));
      };
    }
    const options: SubscribeOptions = {
      resync: () => {
        if (listeners.size === 0) entry.missedEvents = true;
        everyListener(listeners, (listener) => listener.current.options.resync?.());
      },
      // A getter, read by the handle at delivery time: while no mounted component has an `error`
      // callback the handle reports parse errors through its own `onError`, as it would without
      // React.
      get error() {
        const takers = [...listeners].filter((listener) => listener.current.options.error);
        if (takers.length === 0) return undefined;
        return (error: TabcastParseError) =>
          everyListener(takers, (listener) => listener.current.options.error?.(error));
      },
    };
    entry.unsubscribe = this.#tabcast.subscribe(topic, handlers, options);
    return entry;
  }

  /** Whether any subscription of this tab, React's or not, holds `topic`. */
  #listensTo(topic: string): boolean {
    return (this.#tabcast.actor.getSnapshot().context.topicCounts[topic] ?? 0) > 0;
  }

  #release(key: string, entry: Entry) {
    if (this.#entries.get(key) !== entry) return;
    this.#entries.delete(key);
    entry.unsubscribe();
  }

  #releaseIdle() {
    for (const [key, entry] of this.#entries) {
      if (entry.listeners.size > 0) continue;
      this.#cancel(entry.releaseTimer);
      this.#release(key, entry);
    }
  }

  #cancel(timer: unknown) {
    if (timer !== undefined) this.#scheduler.clearTimeout(timer);
  }
}

/**
 * Calls `run` for each listener, even when one throws; then rethrows, so the handle reports the
 * failure as it would for a subscription of its own.
 */
function everyListener(listeners: Iterable<TopicListener>, run: (listener: TopicListener) => void) {
  const failures: unknown[] = [];
  for (const listener of [...listeners]) {
    try {
      run(listener);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, 'tabcast/react: listeners threw');
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
