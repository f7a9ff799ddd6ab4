import { createServer, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import {
  createHub,
  type Hub,
  type HubOptions,
  type HubRequest,
  headerOf,
  type StreamInfo,
} from '../../src/server';
import { SseReader, withTimeout } from './sse-reader';

export interface TestUser {
  id: string;
}

/** The test's users authenticate with an `x-user` header naming their id. */
export function userFromHeader(req: HubRequest): TestUser | null {
  const id = headerOf(req, 'x-user');
  return id === undefined ? null : { id };
}

export interface OpenedStream {
  response: Response;
  reader: SseReader;
  abort: () => void;
}

export interface TestRequest {
  /** Sent as the `x-user` header, which the default `authorize` reads. */
  user?: string;
  headers?: Record<string, string>;
  method?: string;
}

export interface TestHub {
  hub: Hub<TestUser>;
  server: Server;
  port: number;
  /** Every `logger.error` message, in order. */
  logged: string[];
  url(query: Record<string, string>): string;
  /** A request to the endpoint with the given query (GET unless `init.method` says otherwise). */
  request(query: Record<string, string>, init?: TestRequest): Promise<Response>;
  /** Opens a stream and waits until the hub has registered it (its `onConnect` ran). */
  open(query: Record<string, string>, init?: TestRequest): Promise<OpenedStream>;
  /** Resolves with the next stream that disconnects. */
  nextDisconnect(): Promise<StreamInfo<TestUser>>;
}

/**
 * A hub behind a real `node:http` server on 127.0.0.1, stopped when the test finishes.
 * `onConnect`/`onDisconnect` given here still run; the harness observes them too.
 */
export async function startHub(
  options: Partial<HubOptions<TestUser>> = {},
  serverOptions: ServerOptions = {},
): Promise<TestHub> {
  const logged: string[] = [];
  const connectWaiters: (() => void)[] = [];
  const disconnectWaiters: ((info: StreamInfo<TestUser>) => void)[] = [];
  const hub = createHub<TestUser>({
    authorize: userFromHeader,
    logger: { error: (message) => logged.push(message) },
    ...options,
    onConnect: (info) => {
      connectWaiters.shift()?.();
      return options.onConnect?.(info);
    },
    onDisconnect: (info) => {
      disconnectWaiters.shift()?.(info);
      return options.onDisconnect?.(info);
    },
  });
  const server = createServer(serverOptions, hub.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const controllers: AbortController[] = [];

  onTestFinished(async () => {
    for (const controller of controllers) controller.abort();
    hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const url = (query: Record<string, string>) =>
    `http://127.0.0.1:${port}/events?${new URLSearchParams(query)}`;

  /** Every request can be aborted by the test, and is aborted when the test finishes. */
  const send = async (query: Record<string, string>, init: TestRequest = {}) => {
    const controller = new AbortController();
    controllers.push(controller);
    const headers = {
      ...init.headers,
      ...(init.user === undefined ? {} : { 'x-user': init.user }),
    };
    const response = await fetch(url(query), {
      method: init.method ?? 'GET',
      headers,
      signal: controller.signal,
    });
    return { response, abort: () => controller.abort() };
  };

  return {
    hub,
    server,
    port,
    logged,
    url,
    request: async (query, init) => (await send(query, init)).response,
    async open(query, init) {
      const connected = new Promise<void>((resolve) => connectWaiters.push(resolve));
      const { response, abort } = await send(query, init);
      if (response.status !== 200 || response.body === null) {
        throw new Error(`expected a stream, got ${response.status}: ${await response.text()}`);
      }
      await withTimeout(connected, 2000, 'onConnect');
      return { response, reader: new SseReader(response.body), abort };
    },
    nextDisconnect() {
      return withTimeout(
        new Promise((resolve) => disconnectWaiters.push(resolve)),
        2000,
        'onDisconnect',
      );
    },
  };
}
