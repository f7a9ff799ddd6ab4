import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Rejection,
  readStreamRequest,
  type StreamRequest,
  type StreamRequestRules,
  sendError,
} from './http';
import { type HubOptions, type ResolvedHubOptions, resolveHubOptions } from './options';
import { EventLog, type LoggedEvent, type ResumePlan } from './replay';
import {
  type ControlMessage,
  controlFrame,
  EventStreamWriter,
  HEARTBEAT_FRAME,
  retryFrame,
  SSE_HEADERS,
  serializeEnvelope,
} from './sse';
import type { Hub, HubStats, PublishOptions, StreamInfo } from './types';
import { assertPublishName, quoteName } from './validate';

interface OpenStream<User> {
  readonly info: StreamInfo<User>;
  readonly res: ServerResponse;
  readonly writer: EventStreamWriter;
  /** Identifies "the same client" for replacement; absent without a clientId. */
  readonly replacementKey: string | undefined;
  readonly onClose: () => void;
}

/** A failure inside one of the application's callbacks, tagged with which one. */
class CallbackError extends Error {
  constructor(
    readonly callback: string,
    override readonly cause: unknown,
  ) {
    super(callback);
  }
}

/**
 * Only name and message: error objects can carry request data (an HTTP client's error holds its
 * request headers), and the logger must never see credentials.
 */
function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a thrown ${typeof error}`;
}

async function callApp<T>(callback: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new CallbackError(callback, error);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}

class StreamHub<User> implements Hub<User> {
  private readonly log: EventLog;
  private readonly requestRules: StreamRequestRules;
  /** The newest sticky event per topic, then per event name. */
  private readonly stickyEvents = new Map<string, Map<string, LoggedEvent>>();
  private readonly streams = new Set<OpenStream<User>>();
  private readonly streamsByTopic = new Map<string, Set<OpenStream<User>>>();
  private readonly streamsByClient = new Map<string, OpenStream<User>>();
  private readonly streamCountByUser = new Map<string, number>();
  /** One timer for all streams, running only while some are open. */
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private connects = 0;
  private dropped = 0;
  private closed = false;

  constructor(private readonly options: ResolvedHubOptions<User>) {
    this.log = new EventLog(options.replayBufferSize);
    this.requestRules = {
      pattern: options.topicPattern,
      maxLength: options.maxTopicLength,
      maxTopics: options.maxTopics,
      lastEventIdParam: options.lastEventIdParam,
    };
  }

  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    this.accept(req, res).catch((error: unknown) => {
      const what =
        error instanceof CallbackError
          ? `${error.callback} threw ${describeError(error.cause)}`
          : `unexpected error ${describeError(error)}`;
      this.options.logger.error(`tabcast/server: ${what}`);
      sendError(res, { status: 500, body: { error: 'internal' } });
    });
  };

  publish(topic: string, eventName: string, data: unknown, options: PublishOptions = {}): string {
    assertPublishName('topic', topic, this.requestRules);
    assertPublishName('eventName', eventName, this.requestRules);
    if (this.closed) throw new Error('publish: the hub is closed');
    // Serialize before taking an id: a failed publish must not leave a gap in the ids.
    const event = this.log.append(topic, eventName, serializeEnvelope(topic, data));
    if (options.sticky === true) this.keepSticky(event);
    for (const stream of this.streamsByTopic.get(topic) ?? []) {
      stream.writer.send(event.frame, event.bytes);
    }
    return String(event.id);
  }

  forceLogout(match: (user: User) => boolean): number {
    // Match every stream before ending any: a throwing `match` then ends none.
    const matching = [...this.streams].filter((stream) => match(stream.info.user));
    for (const stream of matching) this.closeStream(stream, { type: 'force_logout' });
    return matching.length;
  }

  stats(): HubStats {
    return {
      openStreams: this.streams.size,
      streamsByUser: Object.fromEntries(this.streamCountByUser),
      streamsByTopic: Object.fromEntries(
        [...this.streamsByTopic].map(([topic, streams]) => [topic, streams.size]),
      ),
      connects: this.connects,
      dropped: this.dropped,
    };
  }

  close(): void {
    this.closed = true;
    for (const stream of this.streams) {
      this.closeStream(stream, { type: 'server_close', reason: 'shutdown' });
    }
  }

  private async accept(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = readStreamRequest(req, this.requestRules);
    if ('status' in request) {
      sendError(res, request);
      return;
    }
    const user = await callApp('authorize', () => this.options.authorize(req));
    if (user === null || user === undefined) {
      sendError(res, { status: 401, body: { error: 'unauthorized' } });
      return;
    }
    const userKey = await callApp('userKey', () => this.options.userKey(user));
    const forbidden = await this.findForbiddenTopic(user, request.topics);
    if (forbidden !== undefined) {
      sendError(res, {
        status: 403,
        body: { error: 'forbidden_topic', reason: `topic ${quoteName(forbidden)} is not allowed` },
      });
      return;
    }
    this.open(res, request, { user, userKey, clientId: request.clientId, topics: request.topics });
  }

  private async findForbiddenTopic(
    user: User,
    topics: readonly string[],
  ): Promise<string | undefined> {
    const allowed = await callApp('allowTopic', () =>
      Promise.all(topics.map((topic) => this.options.allowTopic(user, topic))),
    );
    return topics.find((_, index) => allowed[index] !== true);
  }

  /** Synchronous from start to registration, so no publish can fall between replay and live. */
  private open(res: ServerResponse, request: StreamRequest, info: StreamInfo<User>): void {
    // The client left while the callbacks ran (or before a framework handed the request on):
    // its 'close' event is past, so a stream registered now would never be forgotten.
    if (res.destroyed) return;
    if (this.closed) {
      sendError(res, this.unavailable('the server is shutting down'));
      return;
    }
    const replacementKey =
      info.clientId === undefined ? undefined : JSON.stringify([info.userKey, info.clientId]);
    const replaced =
      replacementKey === undefined ? undefined : this.streamsByClient.get(replacementKey);
    if (this.streams.size - (replaced === undefined ? 0 : 1) >= this.options.maxStreams) {
      sendError(res, this.unavailable('too many open streams'));
      return;
    }
    if (replaced !== undefined) {
      this.closeStream(replaced, { type: 'server_close', reason: 'replaced' });
    }

    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    const stream: OpenStream<User> = {
      info: Object.freeze({ ...info, topics: Object.freeze([...info.topics]) }),
      res,
      writer: new EventStreamWriter(res, this.options.maxBufferedBytes, () => this.drop(stream)),
      replacementKey,
      onClose: () => this.detach(stream),
    };
    res.once('close', stream.onClose);
    stream.writer.send(
      retryFrame(this.options.retryMs) + this.catchUpFrames(info.topics, request.lastEventId),
    );
    this.register(stream);
    this.runHook('onConnect', stream.info);
  }

  /** Replay (or reset), then the sticky events the replay did not already carry. */
  private catchUpFrames(topics: readonly string[], lastEventId: string | undefined): string {
    const plan = this.log.resume(lastEventId);
    const subscribed = new Set(topics);
    let frames = '';
    if (plan.kind === 'reset') frames += controlFrame({ type: 'reset' }, plan.headId);
    if (plan.kind === 'replay') {
      for (const event of plan.events) {
        if (subscribed.has(event.topic)) frames += event.frame;
      }
    }
    for (const event of this.stickyEventsFor(topics, plan)) frames += event.frame;
    return frames;
  }

  private stickyEventsFor(topics: readonly string[], plan: ResumePlan): LoggedEvent[] {
    const alreadyReplayed = (event: LoggedEvent) => plan.kind === 'replay' && event.id > plan.after;
    return topics
      .flatMap((topic) => [...(this.stickyEvents.get(topic)?.values() ?? [])])
      .filter((event) => !alreadyReplayed(event))
      .sort((a, b) => a.id - b.id);
  }

  private keepSticky(event: LoggedEvent): void {
    let byEventName = this.stickyEvents.get(event.topic);
    if (byEventName === undefined) {
      byEventName = new Map();
      this.stickyEvents.set(event.topic, byEventName);
    }
    byEventName.set(event.eventName, event);
  }

  private register(stream: OpenStream<User>): void {
    const { info, replacementKey } = stream;
    this.streams.add(stream);
    this.connects += 1;
    for (const topic of info.topics) {
      let subscribers = this.streamsByTopic.get(topic);
      if (subscribers === undefined) {
        subscribers = new Set();
        this.streamsByTopic.set(topic, subscribers);
      }
      subscribers.add(stream);
    }
    if (replacementKey !== undefined) this.streamsByClient.set(replacementKey, stream);
    this.streamCountByUser.set(info.userKey, (this.streamCountByUser.get(info.userKey) ?? 0) + 1);
    this.heartbeat ??= setInterval(this.sendHeartbeats, this.options.heartbeatMs);
  }

  /** Forgets a stream: every index, listener and (with the last stream) the heartbeat timer. */
  private detach(stream: OpenStream<User>): void {
    if (!this.streams.delete(stream)) return;
    const { info, replacementKey, res } = stream;
    for (const topic of info.topics) {
      const subscribers = this.streamsByTopic.get(topic);
      subscribers?.delete(stream);
      if (subscribers?.size === 0) this.streamsByTopic.delete(topic);
    }
    if (replacementKey !== undefined && this.streamsByClient.get(replacementKey) === stream) {
      this.streamsByClient.delete(replacementKey);
    }
    const remaining = (this.streamCountByUser.get(info.userKey) ?? 1) - 1;
    if (remaining > 0) this.streamCountByUser.set(info.userKey, remaining);
    else this.streamCountByUser.delete(info.userKey);
    res.off('close', stream.onClose);
    stream.writer.release();
    if (this.streams.size === 0) this.stopHeartbeat();
    this.runHook('onDisconnect', info);
  }

  private closeStream(stream: OpenStream<User>, message: ControlMessage): void {
    stream.writer.end(controlFrame(message));
    this.detach(stream);
  }

  private drop(stream: OpenStream<User>): void {
    this.dropped += 1;
    stream.writer.destroy();
    this.detach(stream);
  }

  private readonly sendHeartbeats = (): void => {
    for (const stream of this.streams) stream.writer.send(HEARTBEAT_FRAME);
  };

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private unavailable(reason: string): Rejection {
    return {
      status: 503,
      body: { error: 'unavailable', reason },
      headers: { 'retry-after': String(this.options.retryAfterSeconds) },
    };
  }

  private runHook(name: 'onConnect' | 'onDisconnect', info: StreamInfo<User>): void {
    const report = (error: unknown) =>
      this.options.logger.error(`tabcast/server: ${name} threw ${describeError(error)}`);
    try {
      const result = this.options[name](info);
      if (isPromiseLike(result)) result.then(undefined, report);
    } catch (error) {
      report(error);
    }
  }
}

/**
 * Creates the server side of tabcast: one SSE endpoint multiplexing topics, with replay after
 * Last-Event-ID, sticky values, heartbeats, per-client replacement and bounded buffering.
 * @example
 * const hub = createHub({ authorize: (req) => sessionUser(req) });
 * http.createServer(hub.handler).listen(8080);
 * hub.publish('results:42', 'status-changed', { state: 'done' });
 */
export function createHub<User>(options: HubOptions<User>): Hub<User> {
  return new StreamHub(resolveHubOptions(options));
}
