import { SharedEventSource } from './readme-tabcast.js';

/** The README's drop-in example, verbatim (test/unit/readme.test.ts keeps the two in sync). */
export function watchDashboard(render: (tile: { id: string }) => void) {
  // Was: new EventSource('/api/dashboard/events'). Now every tab shares one connection.
  const source = new SharedEventSource('/api/dashboard/events');
  source.addEventListener('tile-updated', (event) => render(JSON.parse(event.data)));
  source.onerror = () => console.warn('dashboard stream interrupted; tabcast reconnects');
  return () => source.close();
}
