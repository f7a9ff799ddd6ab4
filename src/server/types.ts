import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BrokerStats } from './broker';

/** What the hooks and `forceLogout` learn about one open stream. */
export interface StreamInfo<User> {
  /** The value `authorize` returned for this request. */
  readonly user: User;
  /** `userKey(user)`: groups a user's streams in `stats()` and scopes replacement. */
  readonly userKey: string;
  /** The `clientId` query parameter (the leader tab's id), when the client sent one. */
  readonly clientId: string | undefined;
  /** The validated, de-duplicated topics of the stream, in request order. */
  readonly topics: readonly string[];
}

/** Where the hub reports failures of the application's own callbacks. */
export interface HubLogger {
  error(message: string): void;
}

export interface PublishOptions {
  /**
   * Keep this event as the current value of its (topic, event name): every later subscriber of
   * the topic receives it, with its original id, right after connecting.
   * @default false
   */
  sticky?: boolean;
}

/** A snapshot of the hub, for metrics and health checks. */
export interface HubStats {
  /** Streams open right now. */
  openStreams: number;
  /** Open streams per `userKey`. */
  streamsByUser: Record<string, number>;
  /** Open streams per subscribed topic. */
  streamsByTopic: Record<string, number>;
  /** Streams accepted since the hub was created. */
  connects: number;
  /** Streams cut because their client stopped reading (`maxBufferedBytes` exceeded). */
  dropped: number;
  /** The broker's state: `memory` for a hub on its own, `redis` shared across processes. */
  broker: BrokerStats;
}

/**
 * The hub. `Published` is what `publish` returns: the id (`string`) for a hub on its own, a
 * `Promise<string>` for a hub on a broker, where the id comes from the broker.
 */
export interface Hub<User, Published = string> {
  /**
   * The SSE endpoint, a plain `node:http` request handler (also usable as an Express route, or
   * with the raw request/response of Fastify and Hono's node adapter).
   * @example http.createServer(hub.handler).listen(8080);
   */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * The same endpoint for web-standard servers (Next.js route handlers, Hono, Bun, Deno): the
   * answer is a `Response` whose body streams; the stream ends when `request.signal` aborts.
   * Never rejects: a failing `authorize` answers 500.
   * @example export const GET = (request: Request) => hub.fetch(request);
   */
  readonly fetch: (request: Request) => Promise<Response>;
  /**
   * Sends `data` as event `eventName` to every stream subscribed to `topic` and keeps it for
   * replay. Throws a `TypeError` for an invalid topic or event name, or data that is not JSON.
   * On a broker the promise resolves once the event has an id, and rejects with a
   * `TabcastPublishError` if it could not be published; that rejection is handled already, so
   * a publish nobody awaits never crashes the process.
   * @returns the event's id (a decimal integer string, strictly increasing).
   * @example hub.publish('results:42', 'status-changed', { state: 'done' });
   */
  publish(topic: string, eventName: string, data: unknown, options?: PublishOptions): Published;
  /**
   * Sends the `force_logout` control event to every stream of the user, then ends those
   * streams. A `userKey` (string) reaches every process of a broker; a predicate only this
   * process's streams. Returns how many streams of this process were reached.
   * @example hub.forceLogout('ada'); hub.forceLogout((user) => user.tenant === revoked);
   */
  forceLogout(target: string | ((user: User) => boolean)): number;
  stats(): HubStats;
  /**
   * Sends `server_close` (reason `shutdown`) to every stream, ends them, stops the heartbeat and
   * answers later requests with 503; a broker's connections are closed too (the promise says
   * when). Call it before `server.close()`.
   */
  close(): Promise<void>;
}
