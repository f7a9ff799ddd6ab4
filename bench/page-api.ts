/**
 * What the bench page (`page.ts`) exposes on `window.bench`, shared by the page and the Node side
 * that drives it. Every time is `performance.timeOrigin + performance.now()`: epoch ms with
 * sub-millisecond resolution, comparable across tabs and with the Node process.
 */

/**
 * `tabcast`: the library, defaults untouched. `perTab`: one native EventSource per tab (the usual
 * app). `floor`: the least a hand-written failover can do — Web Locks, EventSource,
 * Last-Event-ID, and a bare BroadcastChannel post so followers keep the resume point. `raw`: the
 * relay baseline — one tab (`role=leader`) streams and `postMessage`s every event as is.
 */
export type BenchMode = 'tabcast' | 'perTab' | 'floor' | 'raw';

export interface BenchRecord {
  /** Events handed to the application: the subscription handler (or the baseline's equivalent). */
  deliveredIds: (string | null)[];
  deliveredAt: number[];
  /** Events as this tab's own EventSource dispatched them (leaders only). */
  arrivedIds: string[];
  arrivedAt: number[];
  /** Each EventSource this tab created: its URL and when. */
  connects: { url: string; at: number }[];
  /**
   * tabcast's status changes of phase, role or planned retry (`retryAt`, epoch ms, while
   * reconnecting, with the attempt it is for); the baselines record their role the same way.
   */
  statuses: {
    phase: string;
    role: string;
    at: number;
    retryAt?: number | null;
    attempt?: number;
  }[];
  errors: string[];
}

/** Timer callbacks that actually ran in the page, counted by the idle probe's init script. */
export interface TimerCounts {
  /** setTimeout, setInterval and requestAnimationFrame/requestIdleCallback callbacks run. */
  fired: number;
  /** Timers scheduled (including those cancelled before they ran). */
  armed: number;
  /** Callbacks run, by the API that scheduled them. */
  byKind: Record<string, number>;
}

export interface BenchPage {
  mode: BenchMode;
  ready: boolean;
  record: BenchRecord;
  /** This tab's role: `leader`, `follower` or `none`. */
  role(): string;
  /** tabcast's phase (`open`, `signedOut`, …); the baselines say `open` once streaming. */
  phase(): string;
  /** Signs in (tabcast) — the `user` cookie is set on load. */
  login(user: string): void;
  /** Calls `logout()` and returns when it was called. */
  logout(): number;
  /** Empties the record, so the next read carries only what follows. */
  clear(): void;
  /** The newest id this tab delivered. */
  lastDelivered(): string | null;
  /** How many events this tab delivered since the last `clear()`. */
  deliveredCount(): number;
}

declare global {
  interface Window {
    bench: BenchPage;
    benchTimers?: TimerCounts;
  }
}
