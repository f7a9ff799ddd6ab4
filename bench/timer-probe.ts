/**
 * The idle probe, run in every tab of the idle scenario before any page script (an init script,
 * bundled as is): wraps setTimeout, setInterval, requestAnimationFrame and requestIdleCallback,
 * and counts the callbacks that actually run in `window.benchTimers`.
 */
import type { TimerCounts } from './page-api.js';

type Callback = (...args: unknown[]) => unknown;
type Scheduler = (callback: unknown, ...rest: unknown[]) => number;

const counts: TimerCounts = { fired: 0, armed: 0, byKind: {} };
Object.defineProperty(window, 'benchTimers', { value: counts, enumerable: false });

const scope = window as unknown as Record<string, Scheduler | undefined>;
for (const name of ['setTimeout', 'setInterval', 'requestAnimationFrame', 'requestIdleCallback']) {
  const original = scope[name];
  if (!original) continue;
  scope[name] = (callback: unknown, ...rest: unknown[]) => {
    counts.armed += 1;
    // A string "callback" (setTimeout('code')) is left alone: nothing here schedules one.
    if (typeof callback !== 'function') return original.call(window, callback, ...rest);
    const counted = (...args: unknown[]) => {
      counts.fired += 1;
      counts.byKind[name] = (counts.byKind[name] ?? 0) + 1;
      return (callback as Callback)(...args);
    };
    return original.call(window, counted, ...rest);
  };
}
