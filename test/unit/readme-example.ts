import { createTabcast } from './readme-tabcast.js';

interface Events {
  'order-placed': { id: number; total: number };
}

/** The README's quick example, verbatim (test/unit/readme.test.ts keeps the two in sync). */
export function startOrders(show: (text: string) => void) {
  const tabcast = createTabcast<Events>({ url: '/events', appKey: 'shop' });
  tabcast.login({ userId: 'ada' });

  const stop = tabcast.subscribe(
    'orders',
    { 'order-placed': (order) => show(`order ${order.id}: ${order.total} €`) },
    { resync: () => show('refetch the order list') },
  );
  tabcast.onStatus((status) => show(`${status.role} · ${status.phase}`));
  return { tabcast, stop };
}
