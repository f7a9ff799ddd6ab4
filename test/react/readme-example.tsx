import { useState } from 'react';
import type { Tabcast } from '../../src/index.js';
import { TabcastProvider, useTabcastStatus, useTopic } from '../../src/react/index.js';

interface Events {
  'order-placed': { id: number; total: number };
}

// `tabcast` comes from createTabcast(), called once outside React (in main.tsx, say).
export function App({ tabcast }: { tabcast: Tabcast<Events> }) {
  return (
    <TabcastProvider tabcast={tabcast}>
      <Orders />
    </TabcastProvider>
  );
}

function Orders() {
  const [orders, setOrders] = useState<Events['order-placed'][]>([]);
  const phase = useTabcastStatus((status) => status.phase);
  useTopic<Events>('orders', {
    'order-placed': (order) => setOrders((list) => [...list, order]),
  });
  return (
    <section>
      <p>stream: {phase}</p>
      <ul>
        {orders.map((order) => (
          <li key={order.id}>
            order {order.id}: {order.total} €
          </li>
        ))}
      </ul>
    </section>
  );
}
