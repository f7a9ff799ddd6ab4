/**
 * The real companion (`createHub`) behind `node:http` on 127.0.0.1, plus the test page and the
 * control hooks the browser tests use: refuse the next connects with a status, drop streams,
 * revoke tokens, fail refreshes, restart on the same port. Every connect attempt is logged with
 * its time, user and answer, so a test asserts what the server observed.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createHub,
  type Hub,
  type HubOptions,
  type HubRequest,
  headerOf,
} from '../../../src/server/index.js';
import { type WaitOptions, waitUntil } from './wait.js';

export interface TestUser {
  id: string;
}

/** One request to the SSE endpoint, as the server saw it. */
export interface ConnectAttempt {
  /** Server wall-clock ms when the request arrived. */
  at: number;
  /** Who the request authenticates as (token first, else the `user` cookie), or null. */
  user: string | null;
  clientId: string | null;
  topics: string[];
  /** The resume point the client sent (header or query parameter). */
  lastEventId: string | null;
  /** The status answered (200 for a stream), once headers are sent. */
  status: number | null;
  /** Answered by the test's rules (`refuseConnects`, `silenceConnects`), not by the hub. */
  refused: boolean;
}

/** How the next connects are answered instead of reaching the hub. */
export interface Refusal {
  status: number;
  headers?: Record<string, string>;
  /** How many connects to refuse; forever (until `acceptConnects`) when absent. */
  times?: number;
}

export interface TestServerOptions {
  /** The bundled test page script (see `global-setup.ts`). */
  pageBundle: string;
  /** Overrides for the hub; the defaults keep every delay small. */
  hub?: Partial<HubOptions<TestUser>>;
}

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>tabcast test tab</title><link rel="icon" href="data:,"></head>
<body><script type="module" src="/page.js"></script></body>
</html>`;

function readCookie(req: HubRequest, name: string): string | null {
  for (const part of (headerOf(req, 'cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return null;
}

export class TestServer {
  /** Every request to `/events`, in arrival order. */
  readonly connects: ConnectAttempt[] = [];
  /** Every `POST /token` (sign-in and `refreshCredentials`), with its time and answer. */
  readonly tokenRequests: { at: number; user: string | null; granted: boolean }[] = [];
  /** Lines the hub logged as errors. */
  readonly logged: string[] = [];
  private currentHub: Hub<TestUser>;
  private server: Server | undefined;
  private listeningPort = 0;
  private readonly tokens = new Map<string, string>();
  private refusal: Refusal | null = null;
  private silentConnects = 0;
  /** Responses held open without a byte after the headers (`silenceConnects`). */
  private readonly silent = new Set<ServerResponse>();
  private refreshFails = false;
  private readonly streams = new Set<ServerResponse>();
  private readonly openByUser = new Map<string, number>();
  private readonly maxOpenByUser = new Map<string, number>();

  private constructor(private readonly options: TestServerOptions) {
    this.currentHub = this.createHub();
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(options: TestServerOptions): Promise<TestServer> {
    const instance = new TestServer(options);
    await instance.listen(0);
    return instance;
  }

  get port(): number {
    return this.listeningPort;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The hub now serving (a restart creates a new one, like a new process would). */
  get hub(): Hub<TestUser> {
    return this.currentHub;
  }

  /** Publishes on the current hub; returns the event's id. */
  publish(topic: string, eventName: string, data: unknown): string {
    return this.currentHub.publish(topic, eventName, data);
  }

  /** Connect attempts of one user (or all), optionally only those after `since`. */
  connectsOf(user?: string, since = 0): ConnectAttempt[] {
    return this.connects.filter(
      (attempt) => (user === undefined || attempt.user === user) && attempt.at >= since,
    );
  }

  /** Waits until the connect attempts since `since` satisfy `accept`; returns them. */
  waitForConnects(
    what: string,
    since: number,
    accept: (attempts: ConnectAttempt[]) => boolean,
    options?: WaitOptions,
  ): Promise<ConnectAttempt[]> {
    return waitUntil(what, () => this.connectsOf(undefined, since), accept, options);
  }

  /** Answers the next connects (or all, until `acceptConnects`) with this status. */
  refuseConnects(refusal: Refusal): void {
    this.refusal = { ...refusal };
  }

  acceptConnects(): void {
    this.refusal = null;
  }

  /**
   * The next `count` connects get a 200 event stream that never sends a byte after the headers:
   * no `retry:`, no heartbeat, no event (a proxy that swallows the stream).
   */
  silenceConnects(count: number): void {
    this.silentConnects = count;
  }

  /** How many silent streams the client still holds open. */
  get openSilentStreams(): number {
    return this.silent.size;
  }

  /** Cuts every open stream, like a network drop (no `server_close`). Returns how many. */
  dropStreams(): number {
    const open = [...this.streams];
    for (const res of open) res.destroy();
    return open.length;
  }

  /** Every bearer token issued so far stops working (the next connect gets 401). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Makes `POST /token` (the page's `refreshCredentials`) fail, or work again. */
  failRefreshes(fail: boolean): void {
    this.refreshFails = fail;
  }

  /** The most streams one user had open at once since the last reset. */
  maxOpenStreams(user: string): number {
    return this.maxOpenByUser.get(user) ?? 0;
  }

  resetMaxOpenStreams(): void {
    this.maxOpenByUser.clear();
    for (const [user, open] of this.openByUser) this.maxOpenByUser.set(user, open);
  }

  /**
   * Stops and starts again on the same port with a new hub, like a redeployed process: every
   * connection is cut without `server_close` (a crash), nothing listens for `downMs`.
   */
  async restart({ downMs = 500 }: { downMs?: number } = {}): Promise<void> {
    await this.stopListening();
    this.currentHub.close();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.currentHub = this.createHub();
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    this.currentHub.close();
    await this.stopListening();
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => this.route(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.listeningPort = (server.address() as AddressInfo).port;
  }

  private async stopListening(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  }

  private createHub(): Hub<TestUser> {
    return createHub<TestUser>({
      authorize: (req) => {
        const user = this.userOf(req);
        return user === null ? null : { id: user };
      },
      // A user's private topics (`user:<id>:…`) are theirs alone.
      allowTopic: (user, topic) =>
        !topic.startsWith('user:') || topic.startsWith(`user:${user.id}:`),
      heartbeatMs: 500,
      retryMs: 100,
      logger: { error: (message) => this.logged.push(message) },
      onConnect: (info) => this.countStream(info.userKey, 1),
      onDisconnect: (info) => this.countStream(info.userKey, -1),
      ...this.options.hub,
    });
  }

  private countStream(user: string, by: 1 | -1): void {
    const open = (this.openByUser.get(user) ?? 0) + by;
    this.openByUser.set(user, open);
    this.maxOpenByUser.set(user, Math.max(open, this.maxOpenByUser.get(user) ?? 0));
  }

  /** A bearer token wins over the cookie: a revoked token is a 401 even with a cookie. */
  private userOf(req: HubRequest): string | null {
    const authorization = headerOf(req, 'authorization');
    if (authorization?.startsWith('Bearer ')) {
      return this.tokens.get(authorization.slice('Bearer '.length)) ?? null;
    }
    return readCookie(req, 'user');
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin);
    const route = `${req.method} ${url.pathname}`;
    if (url.pathname === '/events') {
      this.connect(req, res, url);
    } else if (route === 'GET /') {
      send(res, 200, { 'content-type': 'text/html; charset=utf-8' }, PAGE_HTML);
    } else if (route === 'GET /page.js') {
      const headers = {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'no-store',
      };
      send(res, 200, headers, this.options.pageBundle);
    } else if (route === 'POST /token') {
      this.issueToken(res, url.searchParams.get('user'));
    } else {
      send(res, 404, { 'content-type': 'text/plain' }, 'not found');
    }
  }

  /** The page's `refreshCredentials`: a new token for the user, unless refreshes must fail. */
  private issueToken(res: ServerResponse, user: string | null): void {
    const granted = !this.refreshFails && user !== null && user !== '';
    this.tokenRequests.push({ at: Date.now(), user, granted });
    if (!granted) {
      send(res, 403, { 'content-type': 'application/json' }, '{"error":"refused"}');
      return;
    }
    const token = randomUUID();
    this.tokens.set(token, user);
    send(res, 200, { 'content-type': 'application/json' }, JSON.stringify({ token }));
  }

  private connect(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const header = req.headers['last-event-id'];
    const attempt: ConnectAttempt = {
      at: Date.now(),
      user: this.userOf(req),
      clientId: url.searchParams.get('clientId'),
      topics: (url.searchParams.get('topics') ?? '').split(',').filter(Boolean),
      lastEventId:
        (typeof header === 'string' ? header : null) ?? url.searchParams.get('lastEventId'),
      status: null,
      refused: false,
    };
    this.connects.push(attempt);
    const writeHead = res.writeHead.bind(res) as (
      status: number,
      ...rest: unknown[]
    ) => ServerResponse;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      attempt.status = status;
      if (status === 200) {
        this.streams.add(res);
        res.once('close', () => this.streams.delete(res));
      }
      return writeHead(status, ...rest);
    }) as ServerResponse['writeHead'];

    if (this.silentConnects > 0) {
      this.silentConnects -= 1;
      attempt.refused = true;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      this.silent.add(res);
      res.once('close', () => this.silent.delete(res));
      return;
    }
    const refusal = this.refusal;
    if (refusal) {
      if (refusal.times !== undefined && --refusal.times <= 0) this.refusal = null;
      attempt.refused = true;
      const headers = { 'content-type': 'application/json', ...refusal.headers };
      send(res, refusal.status, headers, JSON.stringify({ error: 'refused_by_test' }));
      return;
    }
    this.currentHub.handler(req, res);
  }
}

function send(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: string) {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
