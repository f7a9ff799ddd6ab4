import { useEffect, useLayoutEffect, useRef } from 'react';
import type { EventMeta, Handlers, SubscribeOptions } from '../create-tabcast.js';
import { useTabcastContext } from './context.js';

type Handler = (data: unknown, meta: EventMeta) => void;

/** What the component rendered last, read at delivery time. */
interface Rendered {
  handlers: Record<string, Handler | undefined>;
  options: SubscribeOptions;
}

/**
 * Listens to `topic` while the component is mounted: one `subscribe` per mount, with the
 * provider's `graceMs`, so an unmount keeps the topic on the stream that long. `handlers` and
 * `options` may be new functions on every render: the latest ones are called, and nothing
 * resubscribes. A new `topic` (or a different set of event names) moves the subscription.
 *
 * @example
 * useTopic<Events>('orders', { 'order-placed': (order) => setOrders((list) => [...list, order]) },
 *   { resync: () => refetchOrders() });
 */
export function useTopic<Events extends object = Record<string, unknown>>(
  topic: string,
  handlers: Handlers<Events>,
  options: SubscribeOptions = {},
): void {
  const { tabcast, graceMs } = useTabcastContext('useTopic');
  const latest = useRef<Rendered>({ handlers: handlers as Rendered['handlers'], options });
  // Runs before the subscribing effect, so even the first delivery sees this render's handlers.
  useLayoutEffect(() => {
    latest.current = { handlers: handlers as Rendered['handlers'], options };
  });
  // The event names as one string, so the effect depends on the set and not on the object.
  const events = JSON.stringify(Object.keys(handlers).sort());
  useEffect(() => {
    const forward: Record<string, Handler> = {};
    for (const name of JSON.parse(events) as string[]) {
      forward[name] = (data, meta) => latest.current.handlers[name]?.(data, meta);
    }
    return tabcast.subscribe(topic, forward, {
      graceMs,
      resync: () => latest.current.options.resync?.(),
      // A getter, read by the handle at delivery time: without a mounted `error` callback the
      // handle reports parse errors through its own `onError`, as it would without React.
      get error() {
        return latest.current.options.error;
      },
    });
  }, [tabcast, topic, events, graceMs]);
}
