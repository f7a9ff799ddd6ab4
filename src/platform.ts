/**
 * The browser, as tabcast sees it, injected so tests pass fakes (see `tabcast/testing`) and
 * nothing patches globals. The actors (`src/actors/`, `src/transport/`) use its APIs; the handle
 * takes `random`, `now` and `clock` for the charts, and reads `window` only to tell a page from
 * a server.
 */

/** The part of `EventSource` tabcast uses. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => unknown) | null;
  onerror: ((event: Event) => unknown) | null;
  onmessage: ((event: MessageEvent) => unknown) | null;
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  removeEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceConstructor = new (
  url: string,
  init?: { withCredentials?: boolean },
) => EventSourceLike;

/** The part of `BroadcastChannel` tabcast uses. */
export interface BroadcastChannelLike {
  onmessage: ((event: MessageEvent) => unknown) | null;
  postMessage(message: unknown): void;
  close(): void;
}

export type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike;

/** The part of `navigator.locks` tabcast uses: a queued, exclusive request with an abort signal. */
export interface LockManagerLike {
  request(
    name: string,
    options: { mode?: 'exclusive'; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown>;
}

/** Where `online`, `pagehide`, `pageshow` and `visibilitychange` are heard. */
export interface EventTargetLike {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/** The clock XState uses for every `after` delay; a fake one drives tests. */
export interface Clock {
  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export interface Platform {
  /** Native `EventSource`; needed by the `eventsource` transport. */
  EventSource?: EventSourceConstructor | undefined;
  /** Without it tabcast runs in `solo` mode: one stream per tab. */
  BroadcastChannel?: BroadcastChannelConstructor | undefined;
  /** Without it leadership falls back to a BroadcastChannel election. */
  locks?: LockManagerLike | undefined;
  /** Needed by the `fetch` transport (and to learn the HTTP status when an EventSource fails). */
  fetch?: typeof fetch | undefined;
  /**
   * `window`: online, pagehide, pageshow. Without it (server-side rendering, Node) the handle
   * is inert: it accepts every call and does nothing.
   */
  window?: EventTargetLike | undefined;
  /**
   * `document`: whether the page is visible (`visibilitychange`). A visible follower wakes a
   * hidden leader on time, as a hidden tab's own timers fall behind.
   */
  document?: (EventTargetLike & { readonly visibilityState?: string }) | undefined;
  /** Source of jitter. */
  random: () => number;
  /** Wall-clock milliseconds (hidden tabs' timers are throttled: compare times, never count ticks). */
  now: () => number;
  /** Drives every delay of the statecharts. */
  clock?: Clock | undefined;
  /**
   * Runs `run` on a task of its own, soon: native EventSource hands its messages one by one, and
   * those of one task are relayed as one batch. Default: a `MessageChannel` message, which a
   * hidden tab runs at full rate (a timer it would throttle).
   */
  queueTask?: ((run: () => void) => void) | undefined;
}

/**
 * `queueTask` on a `MessageChannel`: one port posts, the other runs what was queued, in order.
 * The channel is made on first use, so a handle that never streams (inert on a server) opens none.
 */
function messageChannelTasks(): ((run: () => void) => void) | undefined {
  const Channel = (globalThis as { MessageChannel?: typeof MessageChannel }).MessageChannel;
  if (!Channel) return undefined;
  const queued: (() => void)[] = [];
  let channel: MessageChannel | undefined;
  return (run) => {
    if (!channel) {
      channel = new Channel();
      channel.port1.onmessage = () => queued.shift()?.();
    }
    queued.push(run);
    channel.port2.postMessage(null);
  };
}

/** The platform of the page tabcast runs in, read lazily so server-side rendering can import it. */
export function browserPlatform(): Platform {
  const scope = globalThis as typeof globalThis & {
    EventSource?: EventSourceConstructor;
    BroadcastChannel?: BroadcastChannelConstructor;
  };
  const navigatorLocks =
    typeof navigator !== 'undefined'
      ? (navigator as Navigator & { locks?: LockManagerLike }).locks
      : undefined;
  return {
    EventSource: scope.EventSource,
    BroadcastChannel: scope.BroadcastChannel,
    locks: navigatorLocks,
    fetch: typeof fetch === 'function' ? fetch.bind(globalThis) : undefined,
    window: typeof window !== 'undefined' ? window : undefined,
    document: typeof document !== 'undefined' ? document : undefined,
    random: Math.random,
    now: Date.now,
    queueTask: messageChannelTasks(),
  };
}
