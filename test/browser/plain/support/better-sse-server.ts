/**
 * An SSE endpoint written with better-sse (`createSession`, `createChannel`), no tabcast code,
 * mounted on a path of a `PlainServer` (its own port, the page served beside it); one per test,
 * so its channel, history and log are that test's. better-sse keeps no history, so this keeps
 * one: a client that comes back with a `Last-Event-ID` (better-sse reads it into
 * `session.lastId`, from the header or a `lastEventId` query parameter) is sent what it missed.
 * Every session is logged from connect to disconnect.
 */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { createChannel, createSession } from 'better-sse';
import type { Exchange, PlainServer } from './plain-server.js';
import type { StreamEvent } from './replaying-stream.js';

/** One better-sse session, as the server saw it. */
export interface LoggedSession {
  connectedAt: number;
  disconnectedAt: number | null;
  /** The resume point better-sse read from the request ('' when none). */
  lastId: string;
  replayed: number;
}

/** An event better-sse sends: it always carries an id (better-sse makes one up otherwise). */
export type BetterSseEvent = StreamEvent & { id: string };

export class BetterSseEndpoint {
  readonly channel = createChannel();
  readonly sessions: LoggedSession[] = [];
  readonly history: BetterSseEvent[] = [];
  private readonly exchanges = new Set<Exchange>();
  /** While set, a new connect waits for it before it becomes a session. */
  private held: Promise<void> | null = null;

  constructor(
    server: PlainServer,
    readonly path: string,
  ) {
    server.route(path, (exchange) => this.connect(exchange));
  }

  /** Sessions connected now, as better-sse's channel counts them. */
  get connectedSessions(): number {
    return this.channel.sessionCount;
  }

  broadcast(event: BetterSseEvent): void {
    this.history.push(event);
    this.channel.broadcast(event.data, event.event ?? 'message', { eventId: event.id });
  }

  /** Cuts every session's connection, like a network drop. */
  dropAll(): void {
    for (const exchange of this.exchanges) exchange.drop();
  }

  /** Connects wait (no answer yet) until the returned function is called. */
  holdConnects(): () => void {
    let release = () => {};
    this.held = new Promise((resolve) => {
      release = () => {
        this.held = null;
        resolve();
      };
    });
    return release;
  }

  private async connect(exchange: Exchange): Promise<void> {
    await this.held;
    const { request, response } = exchange;
    const options = { serializer: String, retry: 100, keepAlive: null };
    const session =
      'stream' in response
        ? await createSession(request as Http2ServerRequest, response, options)
        : await createSession(request as IncomingMessage, response, options);
    exchange.streamOpened();
    this.exchanges.add(exchange);
    const logged: LoggedSession = {
      connectedAt: Date.now(),
      disconnectedAt: null,
      lastId: session.lastId,
      replayed: 0,
    };
    this.sessions.push(logged);
    session.once('disconnected', () => {
      logged.disconnectedAt = Date.now();
      this.exchanges.delete(exchange);
    });
    // The newest event of that id: what was sent after it is what the client missed.
    const index = this.history.map((event) => event.id).lastIndexOf(session.lastId);
    if (session.lastId !== '' && index >= 0) {
      for (const missed of this.history.slice(index + 1)) {
        session.push(missed.data, missed.event ?? 'message', missed.id);
        logged.replayed += 1;
      }
    }
    this.channel.register(session);
  }
}
