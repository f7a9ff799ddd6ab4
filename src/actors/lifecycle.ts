import type { LifecycleEvent } from '../../machines/events.js';
import type { EventTargetLike, Platform } from '../platform.js';
import { sendingCallback } from './callback.js';

const LIFECYCLE_EVENTS = ['online', 'pagehide', 'pageshow'] as const;

/**
 * The page's `online`, `pagehide` and `pageshow`, as `lifecycle.*` events, and its visibility
 * (at the start, then on each change). `offline` is not listened to: a stream that loses the
 * network fails by itself, and `online` skips the wait.
 */
export function trackLifecycle(
  target: EventTargetLike | undefined,
  document: Platform['document'],
) {
  return sendingCallback<LifecycleEvent>(({ sendBack }) => {
    const listeners = LIFECYCLE_EVENTS.map((name) => {
      const listener = () => sendBack({ type: `lifecycle.${name}` });
      target?.addEventListener(name, listener);
      return [name, listener] as const;
    });
    const visibility = () =>
      sendBack({ type: 'lifecycle.visibility', visible: document?.visibilityState !== 'hidden' });
    document?.addEventListener('visibilitychange', visibility);
    visibility();
    return () => {
      for (const [name, listener] of listeners) target?.removeEventListener(name, listener);
      document?.removeEventListener('visibilitychange', visibility);
    };
  });
}
