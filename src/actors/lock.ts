import type { EventObject } from 'xstate';
import type { LockEvent, PeerCommand } from '../../machines/events.js';
import type { LockInput, PeerWatchInput } from '../../machines/leadership.types.js';
import type { LockManagerLike } from '../platform.js';
import { sendingCallback } from './callback.js';

/**
 * The lock a tab holds while it takes part in the scope, named apart from every leadership lock
 * (JSON keeps a user id that contains `:` from forging another scope's name). Whoever is granted
 * it knows the tab is gone: closed, crashed, or left.
 */
export function presenceLockName(lockName: string, tabId: string): string {
  return `tabcast-presence:${JSON.stringify([lockName, tabId])}`;
}

const isAbort = (error: unknown) => (error as { name?: string } | null)?.name === 'AbortError';

/**
 * Requests `name` and holds it while `onGranted` says so; returns the way to leave the queue or
 * let go. Leaving the queue aborts the request with its `signal` (allowed: the spec forbids
 * `signal` only with `ifAvailable` or `steal`); letting go resolves the callback's promise.
 */
function holdLock(
  locks: LockManagerLike,
  name: string,
  onGranted: () => 'hold' | 'release',
  onError: () => void,
): () => void {
  const queue = new AbortController();
  let release: (() => void) | undefined;
  let stopped = false;
  locks
    .request(name, { mode: 'exclusive', signal: queue.signal }, () => {
      if (stopped || onGranted() === 'release') return Promise.resolve();
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    })
    .catch((error: unknown) => {
      if (!stopped && !isAbort(error)) onError();
    });
  return () => {
    stopped = true;
    queue.abort();
    release?.();
  };
}

/**
 * One queued Web Lock request: the scope's leadership lock, or this tab's presence lock. The
 * browser grants the leadership lock when every tab before it in the queue has released or
 * died, so a crashed leader is replaced without any timer.
 */
export function trackLock(locks: LockManagerLike | undefined) {
  return sendingCallback<LockEvent, EventObject, LockInput>(({ input, sendBack }) => {
    if (!locks) {
      sendBack({ type: 'lock.error' });
      return () => {};
    }
    const leadership = input.purpose === 'leadership';
    return holdLock(
      locks,
      leadership ? input.lockName : presenceLockName(input.lockName, input.tabId),
      () => {
        sendBack({ type: leadership ? 'lock.granted' : 'presence.held' });
        return 'hold';
      },
      () => sendBack({ type: 'lock.error' }),
    );
  });
}

/**
 * The leader's watch over the other tabs: one queued request for each peer's presence lock,
 * granted (and let go at once) when that tab is gone — a crash says no `bye`, and its topics
 * would otherwise stay on the stream.
 */
export function trackPeers(locks: LockManagerLike | undefined) {
  return sendingCallback<LockEvent, PeerCommand, PeerWatchInput>(({ input, sendBack, receive }) => {
    const watches = new Map<string, () => void>();
    const watch = (tabIds: readonly string[]) => {
      if (!locks) return;
      for (const [tabId, stop] of watches) {
        if (tabIds.includes(tabId)) continue;
        stop();
        watches.delete(tabId);
      }
      for (const tabId of tabIds) {
        if (watches.has(tabId)) continue;
        const gone = () => {
          watches.delete(tabId);
          sendBack({ type: 'peer.gone', tabId });
          return 'release' as const;
        };
        watches.set(
          tabId,
          holdLock(locks, presenceLockName(input.lockName, tabId), gone, () => {}),
        );
      }
    };
    watch(input.tabIds);
    receive(({ tabIds }) => watch(tabIds));
    return () => {
      for (const stop of watches.values()) stop();
    };
  });
}
