import type { Clock } from '../../src/platform';

/** 14 November 2023, 22:13:20 UTC: a fixed, recognisable start for every fake clock. */
const DEFAULT_START = 1_700_000_000_000;

/** How many real macrotasks `flushMicrotasks()` waits for by default. */
const FLUSH_ROUNDS = 5;

/**
 * The host's own `setImmediate`, captured at import so that fake timers a test installs later
 * (for example `vi.useFakeTimers()`) cannot swallow the flush.
 */
const realSetImmediate: ((callback: () => void) => unknown) | undefined = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => {
    if (realSetImmediate) realSetImmediate(resolve);
    else realSetTimeout(resolve, 0);
  });
}

/**
 * Lets every pending promise callback and microtask run, including the ones they queue in turn.
 * Each round waits for one real macrotask, and the host drains the whole microtask queue before
 * any macrotask; several rounds also cover code that hops through a macrotask of its own.
 *
 * @example
 * lockManager.request('leader', {}, grant);
 * await flushMicrotasks(); // `grant` has run now
 */
export async function flushMicrotasks(rounds: number = FLUSH_ROUNDS): Promise<void> {
  for (let round = 0; round < rounds; round++) await nextMacrotask();
}

interface ScheduledTimer {
  /** Ids only grow, so they also order timers that are due at the same time. */
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Options of {@link FakeClock}. */
export interface FakeClockOptions {
  /**
   * What `now()` returns before the first `advance()`, in epoch milliseconds.
   * @default 1_700_000_000_000
   */
  start?: number;
}

/**
 * A deterministic clock for XState's `clock` option and for `Platform.now`: nothing happens until
 * a test moves it with `advance()` or `runAll()`.
 *
 * @example
 * const clock = new FakeClock();
 * clock.setTimeout(() => console.log('fired at', clock.now()), 500);
 * await clock.advance(1000); // logs "fired at 1700000000500"
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #running = false;
  readonly #timers = new Map<number, ScheduledTimer>();

  constructor(options: FakeClockOptions = {}) {
    this.#now = options.start ?? DEFAULT_START;
  }

  /** The current fake time in epoch milliseconds. */
  now(): number {
    return this.#now;
  }

  /**
   * Schedules `callback` to run `ms` from now. Like a browser, a negative or non-finite delay
   * counts as 0. Returns the id to pass to `clearTimeout`.
   */
  setTimeout(callback: (...args: unknown[]) => void, ms: number): number {
    const id = this.#nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.#timers.set(id, { id, at: this.#now + delay, callback: () => callback() });
    return id;
  }

  /** Cancels a timer; unknown or already fired ids are ignored, as in a browser. */
  clearTimeout(id: unknown): void {
    if (typeof id === 'number') this.#timers.delete(id);
  }

  /** How many timers are scheduled and not yet fired or cleared. */
  pendingTimers(): number {
    return this.#timers.size;
  }

  /** When the next timer is due (epoch milliseconds), or null when none is scheduled. */
  nextTimerAt(): number | null {
    return this.#nextDue(Number.POSITIVE_INFINITY)?.at ?? null;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way in time order,
   * including timers scheduled by those timers. `now()` reads each timer's time while it fires,
   * and pending microtasks run before and after every timer, so promise chains settle as they
   * would in a browser. Ends with `now()` exactly `ms` later.
   */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`FakeClock.advance(ms) needs a finite duration >= 0, got ${ms}`);
    }
    const until = this.#now + ms;
    await this.#fireTimers(until, Number.POSITIVE_INFINITY);
    this.#now = until;
  }

  /**
   * Fires timers until none is left and returns how many fired. Throws once more than `limit`
   * timers fire, which catches a tight loop, or a periodic timer (a heartbeat) that never stops:
   * drive those with `advance()` instead.
   */
  async runAll(limit = 1000): Promise<number> {
    return this.#fireTimers(Number.POSITIVE_INFINITY, limit);
  }

  async #fireTimers(until: number, limit: number): Promise<number> {
    if (this.#running) {
      throw new Error('FakeClock: advance() or runAll() is already running; await it first');
    }
    this.#running = true;
    let fired = 0;
    try {
      await flushMicrotasks();
      for (let timer = this.#nextDue(until); timer; timer = this.#nextDue(until)) {
        if (fired === limit) {
          throw new Error(
            `FakeClock.runAll: more than ${limit} timers fired and timers are still scheduled ` +
              `(next at +${timer.at - this.#now} ms): a timer keeps rescheduling itself. ` +
              'Use advance(ms) for periodic timers, or raise the limit.',
          );
        }
        this.#timers.delete(timer.id);
        this.#now = timer.at;
        fired++;
        timer.callback();
        await flushMicrotasks();
      }
    } finally {
      this.#running = false;
    }
    return fired;
  }

  #nextDue(until: number): ScheduledTimer | undefined {
    let next: ScheduledTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.at > until) continue;
      if (!next || timer.at < next.at || (timer.at === next.at && timer.id < next.id)) next = timer;
    }
    return next;
  }
}

/**
 * One tab's view of the shared {@link FakeClock}. It keeps track of the tab's timers so that a
 * closed or crashed tab's timers never fire, and it ignores ids of other tabs' timers, since a
 * page can only clear its own.
 */
/** A hidden tab's timers wake once a minute. */
const THROTTLED_GRID_MS = 60_000;

export class TabClock implements Clock {
  readonly #clock: FakeClock;
  readonly #timerIds = new Set<number>();
  #stopped = false;
  #hidden = false;

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  /** The shared fake time in epoch milliseconds. */
  now(): number {
    return this.#clock.now();
  }

  /**
   * Hidden, the page's own timers fire on a one-minute grid, as Chromium throttles a hidden
   * tab's chained timers (it starts about a minute after hiding; the fake does at once, so a test
   * need not wait). What the browser does for the page — a message, a network event, a task
   * queued on a `MessageChannel` — runs at full rate all the same (`setBrowserTimeout`).
   */
  setHidden(hidden: boolean): void {
    this.#hidden = hidden;
  }

  /** Schedules one of the page's timers; after `stop()` nothing is scheduled and 0 is returned. */
  setTimeout(callback: (...args: unknown[]) => void, ms: number): number {
    if (!this.#hidden) return this.setBrowserTimeout(callback, ms);
    const due = this.#clock.now() + ms;
    const throttled = Math.ceil(due / THROTTLED_GRID_MS) * THROTTLED_GRID_MS;
    return this.setBrowserTimeout(callback, throttled - this.#clock.now());
  }

  /** Schedules the browser's own work for the page, which hiding never slows. */
  setBrowserTimeout(callback: (...args: unknown[]) => void, ms: number): number {
    if (this.#stopped) return 0;
    const id = this.#clock.setTimeout(() => {
      this.#timerIds.delete(id);
      callback();
    }, ms);
    this.#timerIds.add(id);
    return id;
  }

  /** Cancels one of this tab's timers. */
  clearTimeout(id: unknown): void {
    if (typeof id !== 'number' || !this.#timerIds.delete(id)) return;
    this.#clock.clearTimeout(id);
  }

  /** How many of this tab's timers are scheduled. */
  pendingTimers(): number {
    return this.#timerIds.size;
  }

  /** Cancels every timer of the tab for good: the tab is gone. */
  stop(): void {
    this.#stopped = true;
    for (const id of this.#timerIds) this.#clock.clearTimeout(id);
    this.#timerIds.clear();
  }
}
