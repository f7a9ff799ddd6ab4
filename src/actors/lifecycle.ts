import { fromCallback } from 'xstate';
import type { LifecycleEvent } from '../machine-events.js';
import type { EventTargetLike } from '../platform.js';

const LIFECYCLE_EVENTS = ['online', 'offline', 'pagehide', 'pageshow'] as const;

/** The page's online/offline and pagehide/pageshow, as `lifecycle.*` events. */
export function trackLifecycle(target: EventTargetLike | undefined) {
  return fromCallback(({ sendBack }) => {
    if (!target) return () => {};
    const listeners = LIFECYCLE_EVENTS.map((name) => {
      const listener = () => sendBack({ type: `lifecycle.${name}` } satisfies LifecycleEvent);
      target.addEventListener(name, listener);
      return [name, listener] as const;
    });
    return () => {
      for (const [name, listener] of listeners) target.removeEventListener(name, listener);
    };
  });
}
