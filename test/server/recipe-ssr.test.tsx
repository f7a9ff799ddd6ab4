import { readFileSync } from 'node:fs';
import * as React from 'react';
import { renderToString } from 'react-dom/server';
import { expect, it } from 'vitest';
import { createTabcast } from '../../src/index.js';
import { TabcastProvider, useTabcastStatus, useTopic } from '../../src/react/index.js';

interface Events {
  'order-placed': { id: number };
}

// recipe:start
// tabcast.ts: one handle per page, made at import. On the server (no `window`) it is inert:
// a module shared by every request holds no user, no channel, no timer.
export const tabcast = createTabcast<Events>({ url: '/events', appKey: 'shop' });

// providers.tsx ('use client' in Next.js): sign in from an effect, which runs in the browser only.
export function Providers({ userId, children }: { userId: string; children: React.ReactNode }) {
  React.useEffect(() => tabcast.login({ userId }), [userId]);
  return <TabcastProvider tabcast={tabcast}>{children}</TabcastProvider>;
}

// Any component: renders on the server with the phase `inert`, then goes live in the page.
export function Orders() {
  const phase = useTabcastStatus((status) => status.phase);
  useTopic<Events>('orders', { 'order-placed': (order) => console.log(order.id) });
  return <p>orders: {phase}</p>;
}
// recipe:end

it('renders on the server: inert, nothing signed in, nothing kept alive', () => {
  const html = renderToString(
    <Providers userId="ada">
      <Orders />
    </Providers>,
  );
  expect(html).toBe('<p>orders: <!-- -->inert</p>');
  expect(tabcast.status).toMatchObject({ phase: 'inert', userId: null });
});

it('is the code of docs/recipes/ssr.md', () => {
  const source = readFileSync('test/server/recipe-ssr.test.tsx', 'utf8');
  const recipe = source.slice(
    source.indexOf('// recipe:start') + '// recipe:start\n'.length,
    source.indexOf('// recipe:end'),
  );
  expect(readFileSync('docs/recipes/ssr.md', 'utf8')).toContain(recipe);
});
