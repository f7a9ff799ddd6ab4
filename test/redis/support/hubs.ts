/**
 * Hubs on one Redis, each with its own broker (its own connections), behind its own
 * `node:http` server: in one test process they behave as separate processes do, since all they
 * share is Redis.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { onTestFinished } from 'vitest';
import { createHub, type Hub, type HubOptions } from '../../../src/server/index.js';
import { createRedisBroker, type RedisBrokerOptions } from '../../../src/server/redis/index.js';
import { SseReader, withTimeout } from '../../server/sse-reader.js';
import { userFromHeader } from './users.js';

export interface RedisHub {
  hub: Hub<string, Promise<string>>;
  server: Server;
  origin: string;
  logged: string[];
  /** Opens a stream as `user` (`x-user` header) with this query; fails unless it is a 200. */
  open(
    query: Record<string, string>,
    user?: string,
    headers?: Record<string, string>,
  ): Promise<Opened>;
  request(query: Record<string, string>, user?: string): Promise<Response>;
  /** Closes the hub and its server (the broker's connections too). */
  close(): Promise<void>;
}

export interface Opened {
  reader: SseReader;
  abort: () => void;
}

export async function startRedisHub(
  redisUrl: string,
  hubOptions: Partial<HubOptions<string>> = {},
  brokerOptions: Partial<RedisBrokerOptions> = {},
): Promise<RedisHub> {
  const client = new Redis(redisUrl, { lazyConnect: true });
  const logged: string[] = [];
  const hub = createHub<string>({
    authorize: userFromHeader,
    heartbeatMs: 200,
    logger: { error: (message) => logged.push(message) },
    ...hubOptions,
    broker: createRedisBroker({ client, leaseMs: 3_000, ...brokerOptions }),
  });
  const server = createServer(hub.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const controllers: AbortController[] = [];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const controller of controllers) controller.abort();
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  onTestFinished(close);

  const send = async (query: Record<string, string>, user?: string, headers = {}) => {
    const controller = new AbortController();
    controllers.push(controller);
    const response = await fetch(`${origin}/events?${new URLSearchParams(query)}`, {
      headers: { ...headers, ...(user === undefined ? {} : { 'x-user': user }) },
      signal: controller.signal,
    });
    return { response, abort: () => controller.abort() };
  };
  return {
    hub,
    server,
    origin,
    logged,
    async open(query, user = 'ada', headers = {}) {
      const { response, abort } = await send(query, user, headers);
      if (response.status !== 200 || response.body === null) {
        throw new Error(`expected a stream, got ${response.status}: ${await response.text()}`);
      }
      const reader = new SseReader(response.body);
      // The retry hint is written once the stream is registered.
      await withTimeout(reader.next(), 5_000, 'the retry hint');
      return { reader, abort };
    },
    request: async (query, user = 'ada') => (await send(query, user)).response,
    close,
  };
}

/** Waits until `hub` reads Redis (its broker `ready` and its first sync done). */
export async function brokerReady(hub: Hub<string, Promise<string>>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (hub.stats().broker.state !== 'ready') {
    if (Date.now() > deadline) throw new Error(`broker not ready: ${JSON.stringify(hub.stats())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
