import { useEffect, useLayoutEffect, useRef } from 'react';
import type { Handlers, SubscribeOptions } from '../create-tabcast.js';
import { useTabcastContext } from './context.js';
import type { TopicListener } from './registry.js';

/**
 * Listens to `topic` while the component is mounted. `handlers` and `options` may be new
 * functions on every render: the latest ones are called, and nothing resubscribes. A new `topic`
 * (or a different set of event names) moves the subscription. Components listening to the same
 * topic and event names share one subscription.
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
  const { registry } = useTabcastContext('useTopic');
  const latest = useRef<TopicListener['current']>({
    handlers: handlers as TopicListener['current']['handlers'],
    options,
  });
  // Runs before the subscribing effect, so even the first delivery sees this render's handlers.
  useLayoutEffect(() => {
    latest.current = { handlers: handlers as TopicListener['current']['handlers'], options };
  });
  // The event names as one string, so the effect depends on the set and not on the object.
  const events = JSON.stringify(Object.keys(handlers).sort());
  useEffect(
    () => registry.acquire(topic, JSON.parse(events) as string[], latest),
    [registry, topic, events],
  );
}
