/**
 * The server recipes of docs/server.md are these files: each mounts the hub on its framework,
 * streams what is published to a signed-in client, answers 401 otherwise, and forgets a client
 * that leaves.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Hub } from '../../src/server/index.js';
import * as expressRecipe from './recipes/express.js';
import * as fastifyRecipe from './recipes/fastify.js';
import * as honoFetchRecipe from './recipes/hono-fetch.js';
import * as honoNodeRecipe from './recipes/hono-node.js';
import * as nextRoute from './recipes/next-route.js';
import { SseReader, waitUntil } from './sse-reader.js';

const docs = readFileSync('docs/server.md', 'utf8');
const RECIPES = ['auth', 'express', 'fastify', 'hono-node', 'hono-fetch', 'next-route'];

/** A recipe as the docs show it: the package's import path instead of the source's. */
function asInDocs(name: string): string {
  return readFileSync(new URL(`./recipes/${name}.ts`, import.meta.url), 'utf8').replace(
    "'../../../src/server/index.js'",
    "'tabcast/server'",
  );
}

type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

let fastifyOrigin: Promise<string> | undefined;
afterAll(async () => {
  await fastifyRecipe.app.close();
});

/** Every recipe, as something that answers requests. */
const servers: [string, Hub<unknown>, () => Promise<Fetcher>][] = [
  [
    'Express 5',
    expressRecipe.hub,
    async () => {
      const server = expressRecipe.app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      onTestFinished(() => {
        server.closeAllConnections();
        server.close();
      });
      const { port } = server.address() as AddressInfo;
      return (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init);
    },
  ],
  [
    'Fastify 5',
    fastifyRecipe.hub,
    async () => {
      // A Fastify instance listens once: every test of this file shares it.
      fastifyOrigin ??= fastifyRecipe.app.listen({ port: 0, host: '127.0.0.1' });
      const origin = await fastifyOrigin;
      return (path, init) => fetch(`${origin}${path}`, init);
    },
  ],
  ...(
    [
      ['Hono, node adapter', honoNodeRecipe],
      ['Hono, hub.fetch', honoFetchRecipe],
    ] as const
  ).map(
    ([name, recipe]) =>
      [
        name,
        recipe.hub,
        async () => {
          const server = serve({ fetch: recipe.app.fetch, port: 0, hostname: '127.0.0.1' });
          await new Promise((resolve) => server.once('listening', resolve));
          onTestFinished(() => void server.close());
          const { port } = server.address() as AddressInfo;
          return (path: string, init?: RequestInit) =>
            fetch(`http://127.0.0.1:${port}${path}`, init);
        },
      ] as [string, Hub<unknown>, () => Promise<Fetcher>],
  ),
  [
    'Next.js route handler',
    nextRoute.hub,
    // What Next does with the route: a Request in, the handler's Response out.
    async () => (path, init) => nextRoute.GET(new Request(`http://next.test${path}`, init)),
  ],
];

const signedIn = { cookie: 'theme=dark; sid=demo-session' };

describe('the server recipes', () => {
  it.each(RECIPES)('docs/server.md shows %s as it is tested', (name) => {
    expect(docs).toContain(asInDocs(name));
  });

  it.each(servers)(
    '%s: streams to a signed-in client and forgets it when it leaves',
    async (_, hub, start) => {
      const request = await start();
      const controller = new AbortController();
      const response = await request('/events?topics=orders&clientId=tab-1', {
        headers: signedIn,
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      const reader = new SseReader(response.body!);
      expect((await reader.next()).retry).toBe('2000');

      const id = hub.publish('orders', 'order-shipped', { id: '7' });
      expect(await reader.nextEvent()).toEqual({
        id,
        event: 'order-shipped',
        data: '{"topic":"orders","data":{"id":"7"}}',
        comments: [],
      });

      controller.abort();
      await waitUntil(() => hub.stats().openStreams === 0, 2_000, 'the hub to forget the stream');
    },
  );

  it.each(servers)('%s: answers 401 without a session', async (_, _hub, start) => {
    const request = await start();
    const response = await request('/events?topics=orders');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthorized' });
  });

  it('Express: a route publishes to the stream', async () => {
    const request = await servers[0]![2]();
    const controller = new AbortController();
    onTestFinished(() => controller.abort());
    const response = await request('/events?topics=orders', {
      headers: signedIn,
      signal: controller.signal,
    });
    const reader = new SseReader(response.body!);
    await reader.next();

    expect((await request('/orders/9/ship', { method: 'POST' })).status).toBe(204);

    expect(JSON.parse((await reader.nextEvent()).data!)).toEqual({
      topic: 'orders',
      data: { id: '9' },
    });
  });
});
