/**
 * A bare SSE server with no tabcast code: `node:http` (or `node:http2` over TLS, which also
 * answers HTTP/1.1) on 127.0.0.1, port 0. It serves the plain test page and its bundle from the
 * same origin as its SSE routes, logs every request (time, URL, the headers the suites look at,
 * status) and counts the event streams open per path, so a test asserts what the server saw.
 *
 * Routes are plain functions of an `Exchange` (one request and its response); the suites mount
 * theirs with `route()`: the WPT resources, the replaying streams, the misbehaving answers.
 */
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { type WaitOptions, waitUntil } from '../../support/wait.js';
import { selfSignedCertificate } from './tls.js';

/** `http1`: plain HTTP/1.1. `h2`: HTTP/2 over TLS (self-signed; HTTP/1.1 still accepted). */
export type Protocol = 'http1' | 'h2';

/** One request, as the server saw it. */
export interface LoggedRequest {
  /** Server wall-clock ms when the request arrived. */
  at: number;
  method: string;
  /** Path and query, as requested. */
  url: string;
  path: string;
  /** '1.1' or '2.0'. */
  httpVersion: string;
  /** Which connection carried it (the socket; for HTTP/2 the session), numbered as first seen. */
  connection: number;
  headers: {
    accept: string | null;
    cacheControl: string | null;
    lastEventId: string | null;
    cookie: string | null;
  };
  /** The status answered, once the head is written; null until then (or if never). */
  status: number | null;
  /** When the response ended or the connection closed; null while it is open. */
  closedAt: number | null;
}

/** What a response is written through, the same for HTTP/1.1 and HTTP/2. */
interface Wire {
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  write(chunk: string | Buffer): boolean;
  end(chunk?: string | Buffer): unknown;
  once(event: 'close' | 'drain', listener: () => void): unknown;
  readonly writableEnded: boolean;
  readonly destroyed?: boolean;
}

/**
 * A request header (lower-case name) as text, or null. Node reads header bytes as Latin-1;
 * browsers send UTF-8 (a `Last-Event-ID` of `…`), so the bytes are read again as UTF-8.
 */
function headerOf(request: IncomingMessage | Http2ServerRequest, name: string): string | null {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value.join(', ') : value;
  return typeof text === 'string' ? Buffer.from(text, 'latin1').toString('utf8') : null;
}

/** One request and its response, handed to a route. */
export class Exchange {
  readonly url: URL;
  private closed = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    readonly request: IncomingMessage | Http2ServerRequest,
    /** The raw response, for a library that writes it itself (then call `streamOpened`). */
    readonly response: ServerResponse | Http2ServerResponse,
    private readonly wire: Wire,
    private readonly destroyWire: () => void,
    readonly log: LoggedRequest,
    private readonly onStreamOpen: (exchange: Exchange) => void,
  ) {
    this.url = new URL(log.url, 'http://plain.invalid');
    wire.once('close', () => this.markClosed());
  }

  /** A request header (lower-case name), or null. */
  header(name: string): string | null {
    return headerOf(this.request, name);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes the status line and headers; a 200 `text/event-stream` counts as an open stream. */
  head(status: number, headers: OutgoingHttpHeaders): void {
    this.log.status = status;
    this.wire.writeHead(status, headers);
    const type = String(headers['content-type'] ?? '');
    if (status === 200 && type.startsWith('text/event-stream')) this.onStreamOpen(this);
  }

  /** Logs and counts a stream whose head something else (better-sse) wrote on `response`. */
  streamOpened(status = 200): void {
    this.log.status = status;
    this.onStreamOpen(this);
  }

  /** Opens an event stream: 200, `text/event-stream`, not cached, head flushed at once. */
  openStream(extraHeaders: OutgoingHttpHeaders = {}): void {
    this.head(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      ...extraHeaders,
    });
    // An empty write sends the head now: the client announces the connection before any event.
    this.wire.write('');
  }

  /** Writes a chunk; resolves when the socket can take more (backpressure for large bodies). */
  async write(chunk: string | Buffer): Promise<void> {
    if (this.closed) return;
    if (this.wire.write(chunk)) return;
    await new Promise<void>((resolve) => {
      this.wire.once('drain', resolve);
      this.onClose(resolve);
    });
  }

  /** Ends the response normally (a server-ended stream, for SSE). */
  end(body?: string | Buffer): void {
    if (!this.wire.writableEnded) this.wire.end(body);
  }

  /** A whole small response: status, headers, body. */
  send(status: number, headers: OutgoingHttpHeaders, body: string | Buffer = ''): void {
    this.head(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    this.end(body);
  }

  /** Cuts the connection without ending the response, like a network drop. */
  drop(): void {
    this.destroyWire();
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.log.closedAt = Date.now();
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

export type Route = (exchange: Exchange) => void | Promise<void>;

export const PLAIN_PAGE_PATH = '/plain.html';

const PLAIN_PAGE_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>plain SSE test tab</title><link rel="icon" href="data:,"></head>
<body><script type="module" src="/plain.js"></script></body>
</html>`;

export interface PlainServerOptions {
  /** The bundled plain test page (`support/page.ts`, see `global-setup.ts`). */
  pageBundle: string;
  /** @default 'http1' */
  protocol?: Protocol;
}

export class PlainServer {
  /** Every request, in arrival order (the page and its bundle included). */
  readonly requests: LoggedRequest[] = [];
  /** TCP (or TLS) connections accepted so far. */
  socketsAccepted = 0;
  private readonly routes = new Map<string, Route>();
  private readonly prefixRoutes: [string, Route][] = [];
  private readonly openByPath = new Map<string, Set<Exchange>>();
  private readonly maxOpenByPath = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly connectionIds = new WeakMap<object, number>();
  private connectionsSeen = 0;
  private server: Server | Http2SecureServer | undefined;
  private listeningPort = 0;

  private constructor(private readonly options: PlainServerOptions) {}

  static async start(options: PlainServerOptions): Promise<PlainServer> {
    const instance = new PlainServer(options);
    await instance.listen();
    return instance;
  }

  get protocol(): Protocol {
    return this.options.protocol ?? 'http1';
  }

  get origin(): string {
    return `${this.protocol === 'h2' ? 'https' : 'http'}://127.0.0.1:${this.listeningPort}`;
  }

  /** Serves `path` (exactly), or every path under it when it ends with `/`. */
  route(path: string, handler: Route): this {
    if (path.endsWith('/')) this.prefixRoutes.push([path, handler]);
    else this.routes.set(path, handler);
    return this;
  }

  /** Requests to `path` (no query), optionally only those since `since`. */
  requestsTo(path: string, since = 0): LoggedRequest[] {
    return this.requests.filter((request) => request.path === path && request.at >= since);
  }

  /** Waits until the requests to `path` satisfy `accept`; returns them. */
  waitForRequests(
    path: string,
    accept: (requests: LoggedRequest[]) => boolean,
    options?: WaitOptions & { since?: number },
  ): Promise<LoggedRequest[]> {
    return waitUntil(
      `requests to ${path}`,
      () => this.requestsTo(path, options?.since),
      accept,
      options,
    );
  }

  /** Event streams open now on `path`. */
  openStreams(path: string): number {
    return this.openByPath.get(path)?.size ?? 0;
  }

  /** The open streams of `path`, to write to or cut. */
  streamsOf(path: string): Exchange[] {
    return [...(this.openByPath.get(path) ?? [])];
  }

  /** The most streams `path` had open at once. */
  maxOpenStreams(path: string): number {
    return this.maxOpenByPath.get(path) ?? 0;
  }

  /** Open streams per path, for every path that has one. */
  openStreamsByPath(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [path, open] of this.openByPath) if (open.size > 0) counts[path] = open.size;
    return counts;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async listen(): Promise<void> {
    const handler = (
      req: IncomingMessage | Http2ServerRequest,
      res: ServerResponse | Http2ServerResponse,
    ) => this.handle(req, res);
    const server =
      this.protocol === 'h2'
        ? createSecureServer({ ...(await selfSignedCertificate()), allowHTTP1: true }, handler)
        : createServer(handler);
    server.on(this.protocol === 'h2' ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.socketsAccepted += 1;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.listeningPort = (server.address() as AddressInfo).port;
  }

  private handle(
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ): void {
    const header = (name: string) => headerOf(req, name);
    const url = req.url ?? '/';
    const log: LoggedRequest = {
      at: Date.now(),
      method: req.method ?? 'GET',
      url,
      path: new URL(url, 'http://plain.invalid').pathname,
      httpVersion: req.httpVersion,
      connection: this.connectionOf(req),
      headers: {
        accept: header('accept'),
        cacheControl: header('cache-control'),
        lastEventId: header('last-event-id'),
        cookie: header('cookie'),
      },
      status: null,
      closedAt: null,
    };
    this.requests.push(log);
    const destroy = () => {
      if ('stream' in res) res.stream.close(0x8 /* NGHTTP2_CANCEL */);
      else res.destroy();
    };
    const exchange = new Exchange(req, res, res as unknown as Wire, destroy, log, (open) =>
      this.countStream(open),
    );
    const route = this.routeFor(log.path);
    Promise.resolve(route(exchange)).catch((error: unknown) => {
      if (exchange.log.status === null) exchange.send(500, { 'content-type': 'text/plain' });
      else exchange.drop();
      console.error(`plain server: ${log.url} failed:`, error);
    });
  }

  /** The number of the connection `req` came on: its HTTP/2 session, else its socket. */
  private connectionOf(req: IncomingMessage | Http2ServerRequest): number {
    const carrier: object = 'stream' in req ? (req.stream.session ?? req.stream) : req.socket;
    let id = this.connectionIds.get(carrier);
    if (id === undefined) {
      this.connectionsSeen += 1;
      id = this.connectionsSeen;
      this.connectionIds.set(carrier, id);
    }
    return id;
  }

  private routeFor(path: string): Route {
    if (path === PLAIN_PAGE_PATH) {
      return (exchange) =>
        exchange.send(200, { 'content-type': 'text/html; charset=utf-8' }, PLAIN_PAGE_HTML);
    }
    if (path === '/plain.js') {
      return (exchange) =>
        exchange.send(
          200,
          { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' },
          this.options.pageBundle,
        );
    }
    const exact = this.routes.get(path);
    if (exact) return exact;
    const prefixed = this.prefixRoutes.find(([prefix]) => path.startsWith(prefix));
    if (prefixed) return prefixed[1];
    return (exchange) => exchange.send(404, { 'content-type': 'text/plain' }, 'not found');
  }

  private countStream(exchange: Exchange): void {
    const path = exchange.log.path;
    let open = this.openByPath.get(path);
    if (!open) {
      open = new Set();
      this.openByPath.set(path, open);
    }
    open.add(exchange);
    this.maxOpenByPath.set(path, Math.max(open.size, this.maxOpenByPath.get(path) ?? 0));
    exchange.onClose(() => open.delete(exchange));
  }
}
