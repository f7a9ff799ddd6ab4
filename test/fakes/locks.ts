import type { LockManagerLike } from '../../src/platform';
import type { TabContext } from './tab-context';

/** The lock a granted callback receives. */
export interface FakeLock {
  readonly name: string;
  readonly mode: 'exclusive';
}

/** The options of `navigator.locks.request()` the fake understands or checks. */
export interface FakeLockRequestOptions {
  mode?: 'exclusive' | 'shared';
  signal?: AbortSignal;
  /** Grant at once or call back with null, never queue. Not allowed with `signal`. */
  ifAvailable?: boolean;
  /** Only validated: the fake rejects it, tabcast never steals. */
  steal?: boolean;
}

/** `navigator.locks` of one tab. */
export interface TabLockManager extends LockManagerLike {
  request(
    name: string,
    options: FakeLockRequestOptions,
    callback: (lock: FakeLock | null) => unknown,
  ): Promise<unknown>;
}

interface LockRequest {
  readonly tab: TabContext;
  readonly name: string;
  readonly callback: (lock: FakeLock | null) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/** A promise that never settles: what a page that is gone gets, since its code never runs again. */
function never(): Promise<never> {
  return new Promise(() => {});
}

function notSupported(message: string): Promise<never> {
  return Promise.reject(new DOMException(message, 'NotSupportedError'));
}

/**
 * The Web Locks of one browser profile, shared by all its tabs: exclusive locks with a FIFO
 * queue per name. A lock is held until the promise its callback returned settles, or until the
 * holding tab closes or crashes, which also drops the tab's queued requests.
 *
 * Argument checks mirror the spec, so a request the real browser rejects fails here too:
 * `signal` together with `ifAvailable` or `steal` is a `NotSupportedError`.
 *
 * @example
 * expect(browser.locks.held('tabcast:app:u1')).toBe(leader.id);
 * expect(browser.locks.queued('tabcast:app:u1')).toBe(2);
 */
export class FakeLockManager {
  readonly #holders = new Map<string, LockRequest>();
  readonly #queues = new Map<string, LockRequest[]>();

  /** The id of the tab holding lock `name`, or null when it is free. */
  held(name: string): string | null {
    return this.#holders.get(name)?.tab.id ?? null;
  }

  /** How many requests wait for lock `name`. */
  queued(name: string): number {
    return this.#queues.get(name)?.length ?? 0;
  }

  /** The `navigator.locks` of `tab`; the tab's locks and requests go away with it. */
  forTab(tab: TabContext): TabLockManager {
    tab.whenGone(() => this.#releaseAllOf(tab));
    return {
      request: (name, options, callback) => this.#request(tab, name, options, callback),
    };
  }

  #request(
    tab: TabContext,
    name: string,
    options: FakeLockRequestOptions,
    callback: (lock: FakeLock | null) => unknown,
  ): Promise<unknown> {
    if (!tab.alive) return never();
    const { mode = 'exclusive', signal, ifAvailable = false, steal = false } = options;
    if (name.startsWith('-')) return notSupported(`lock names starting with "-" are reserved`);
    if (steal && ifAvailable) return notSupported('steal and ifAvailable cannot be combined');
    if (signal && (steal || ifAvailable)) {
      return notSupported('signal cannot be combined with steal or ifAvailable');
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (mode !== 'exclusive' || steal) {
      return Promise.reject(
        new Error('the fake lock manager implements exclusive, non-stealing requests only'),
      );
    }
    return new Promise((resolve, reject) => {
      const request: LockRequest = {
        tab,
        name,
        callback,
        resolve,
        reject,
        signal,
        onAbort: () => this.#withdraw(request),
      };
      if (ifAvailable && (this.#holders.has(name) || this.queued(name) > 0)) {
        queueMicrotask(() => this.#run(request, null));
        return;
      }
      signal?.addEventListener('abort', request.onAbort, { once: true });
      this.#setQueue(name, [...(this.#queues.get(name) ?? []), request]);
      this.#grantNext(name);
    });
  }

  #grantNext(name: string): void {
    if (this.#holders.has(name)) return;
    const [next, ...rest] = this.#queues.get(name) ?? [];
    if (!next) return;
    this.#setQueue(name, rest);
    next.signal?.removeEventListener('abort', next.onAbort);
    this.#holders.set(name, next);
    queueMicrotask(() => this.#run(next, { name, mode: 'exclusive' }));
  }

  #run(request: LockRequest, lock: FakeLock | null): void {
    // A tab that went away between the grant and this microtask already gave the lock back.
    if (!request.tab.alive) return;
    let outcome: Promise<unknown>;
    try {
      outcome = Promise.resolve(request.callback(lock));
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (value) => {
        this.#release(request);
        if (request.tab.alive) request.resolve(value);
      },
      (error: unknown) => {
        this.#release(request);
        if (request.tab.alive) request.reject(error);
      },
    );
  }

  #release(request: LockRequest): void {
    if (this.#holders.get(request.name) !== request) return;
    this.#holders.delete(request.name);
    this.#grantNext(request.name);
  }

  /** An abort after the grant does nothing, as the spec says: the request left the queue. */
  #withdraw(request: LockRequest): void {
    const queue = this.#queues.get(request.name) ?? [];
    if (!queue.includes(request)) return;
    this.#setQueue(
      request.name,
      queue.filter((queued) => queued !== request),
    );
    request.reject(request.signal?.reason);
  }

  #releaseAllOf(tab: TabContext): void {
    for (const [name, queue] of [...this.#queues]) {
      for (const request of queue) {
        if (request.tab === tab) request.signal?.removeEventListener('abort', request.onAbort);
      }
      this.#setQueue(
        name,
        queue.filter((request) => request.tab !== tab),
      );
    }
    for (const request of [...this.#holders.values()]) {
      if (request.tab === tab) this.#release(request);
    }
  }

  #setQueue(name: string, queue: LockRequest[]): void {
    if (queue.length > 0) this.#queues.set(name, queue);
    else this.#queues.delete(name);
  }
}
