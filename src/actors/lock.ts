import { fromCallback } from 'xstate';
import type { LeadershipEvent } from '../../machines/leadership.machine.js';
import type { LockManagerLike } from '../platform.js';

/**
 * One queued Web Lock request for the scope. The browser grants it when every tab before it in
 * the queue has released or died, so a crashed leader is replaced without any timer. Leaving
 * the queue aborts the request with its `signal` (allowed: the spec forbids `signal` only with
 * `ifAvailable` or `steal`); giving up a held lock resolves the callback's promise.
 */
export function trackLock(locks: LockManagerLike | undefined) {
  return fromCallback<LeadershipEvent, { name: string }>(({ input, sendBack }) => {
    if (!locks) {
      sendBack({ type: 'lock.error' });
      return () => {};
    }
    const queue = new AbortController();
    let release: (() => void) | undefined;
    let stopped = false;
    locks
      .request(input.name, { mode: 'exclusive', signal: queue.signal }, () => {
        if (stopped) return Promise.resolve();
        sendBack({ type: 'lock.granted' });
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      })
      .catch((error: unknown) => {
        if (!stopped && (error as { name?: string } | null)?.name !== 'AbortError') {
          sendBack({ type: 'lock.error' });
        }
      });
    return () => {
      stopped = true;
      queue.abort();
      release?.();
    };
  });
}
