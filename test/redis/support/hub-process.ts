/**
 * One server process of a hub on Redis: `createHub` with the Redis broker behind `node:http` on
 * 127.0.0.1 (`/events`), driven over IPC by the tests and the bench. `TABCAST_TEST_CONFIG` is
 * JSON: `{ redisUrl, namespace, hub?: HubOptions, broker?: RedisBrokerOptions }` (plain values).
 *
 * Messages in: `publish`, `storm` (publish `count` events `{ source, n }` at once), `stats`,
 * `stop`. Messages out: `ready` (with the port, once the broker is ready), `published`,
 * `stormed`, `stats`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createHub, type HubStats } from '../../../src/server/index.js';
import { createRedisBroker } from '../../../src/server/redis/index.js';
import { userFromHeader } from './users.js';

export type HubProcessRequest =
  | { type: 'publish'; topic: string; event: string; data: unknown; sticky?: boolean }
  | { type: 'storm'; topic: string; count: number; source: string }
  /** Publishes `{ n }` for n = 0 … count-1, one every `everyMs`. */
  | { type: 'tick'; topic: string; count: number; everyMs: number }
  | { type: 'stats' }
  | { type: 'stop' };

export type HubProcessReply =
  | { type: 'ready'; port: number }
  | { type: 'published'; id: string; at: number }
  | { type: 'stormed'; ids: string[]; startedAt: number }
  /** `at`: when each publish was called (epoch ms, sub-ms). */
  | { type: 'ticked'; ids: string[]; at: number[] }
  | { type: 'stats'; stats: HubStats };

export interface HubProcessConfig {
  redisUrl: string;
  namespace: string;
  hub?: Record<string, unknown>;
  broker?: Record<string, unknown>;
}

const config = JSON.parse(process.env.TABCAST_TEST_CONFIG ?? '{}') as HubProcessConfig;
const send = (reply: HubProcessReply) => process.send?.(reply);

const hub = createHub<string>({
  authorize: userFromHeader,
  heartbeatMs: 500,
  retryMs: 100,
  ...config.hub,
  broker: createRedisBroker({
    client: new Redis(config.redisUrl, { lazyConnect: true }),
    namespace: config.namespace,
    ...config.broker,
  }),
});
const server = createServer((req, res) => {
  if (req.url?.startsWith('/events')) return hub.handler(req, res);
  res.writeHead(404).end();
});
/** Ready once it listens and its broker is: before that it admits on its own counts alone. */
server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as AddressInfo).port;
  const whenReady = () => {
    if (hub.stats().broker?.state === 'ready') send({ type: 'ready', port });
    else setTimeout(whenReady, 10);
  };
  whenReady();
});

async function stop(): Promise<never> {
  await hub.close();
  server.closeAllConnections();
  server.close();
  process.exit(0);
}

// The parent going away (a crash, Ctrl-C) must not leave this process listening.
process.on('disconnect', () => void stop());

process.on('message', (request: HubProcessRequest) => {
  switch (request.type) {
    case 'publish': {
      const at = Date.now();
      const options = { sticky: request.sticky === true };
      void hub
        .publish(request.topic, request.event, request.data, options)
        .then((id) => send({ type: 'published', id, at }));
      break;
    }
    case 'storm': {
      const startedAt = performance.timeOrigin + performance.now();
      const ids = Array.from({ length: request.count }, (_, n) =>
        hub.publish(request.topic, 'tick', { source: request.source, n }),
      );
      void Promise.all(ids).then((done) => send({ type: 'stormed', ids: done, startedAt }));
      break;
    }
    case 'tick': {
      const ids: Promise<string>[] = [];
      const at: number[] = [];
      const timer = setInterval(() => {
        at.push(performance.timeOrigin + performance.now());
        ids.push(hub.publish(request.topic, 'tick', { n: ids.length }));
        if (ids.length < request.count) return;
        clearInterval(timer);
        void Promise.all(ids).then((done) => send({ type: 'ticked', ids: done, at }));
      }, request.everyMs);
      break;
    }
    case 'stats':
      send({ type: 'stats', stats: hub.stats() });
      break;
    case 'stop':
      void stop();
      break;
  }
});
