import type { IncomingMessage, ServerResponse } from 'node:http';

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
}

export interface Hub<User> {
  /**
   * The SSE endpoint, a plain `node:http` request handler (also usable as an Express route, or
   * with the raw request/response of Fastify and Hono's node adapter).
   * @example http.createServer(hub.handler).listen(8080);
   */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Sends `data` as event `eventName` to every stream subscribed to `topic` and keeps it for
   * replay. Throws a `TypeError` for an invalid topic or event name, or data that is not JSON.
   * @returns the event's id (a decimal integer string, strictly increasing).
   * @example hub.publish('results:42', 'status-changed', { state: 'done' });
   */
  publish(topic: string, eventName: string, data: unknown, options?: PublishOptions): string;
  /**
   * Sends the `force_logout` control event to every stream whose user matches, then ends those
   * streams. Returns how many streams were reached.
   * @example hub.forceLogout((user) => user.id === revokedUserId);
   */
  forceLogout(match: (user: User) => boolean): number;
  stats(): HubStats;
  /**
   * Sends `server_close` (reason `shutdown`) to every stream, ends them, stops the heartbeat and
   * answers later requests with 503. Call it before `server.close()`.
   */
  close(): void;
}
