import type { LifecycleEvent } from '../machine-events.js';
import type { EventTargetLike } from '../platform.js';
import { sendingCallback } from './callback.js';

const LIFECYCLE_EVENTS = ['online', 'pagehide', 'pageshow'] as const;

/**
 * The page's `online`, `pagehide` and `pageshow`, as `lifecycle.*` events. `offline` is not
 * listened to: a stream that loses the network fails by itself, and `online` skips the wait.
 */
export function trackLifecycle(target: EventTargetLike | undefined) {
  return sendingCallback<LifecycleEvent>(({ sendBack }) => {
    if (!target) return () => {};
    const listeners = LIFECYCLE_EVENTS.map((name) => {
      const listener = () => sendBack({ type: `lifecycle.${name}` });
      target.addEventListener(name, listener);
      return [name, listener] as const;
    });
    return () => {
      for (const [name, listener] of listeners) target.removeEventListener(name, listener);
    };
  });
}
