import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Admission, Broker, BrokerEntry, BrokerStats, Lease, StickyRecord } from './broker';
import {
  errorResponse,
  type Rejection,
  readStreamRequest,
  type StreamRequest,
  type StreamRequestRules,
  sendError,
} from './http';
import {
  type BrokeredHubOptions,
  type HubOptions,
  type ResolvedHubOptions,
  resolveHubOptions,
} from './options';
import { EventLog, type LoggedEvent, makeEvent, type ResumePlan } from './replay';
import { type HubRequest, viewOf } from './request';
import { type EventSink, NodeEventSink, WebEventSink } from './sink';
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
  readonly lease: Lease;
  readonly info: StreamInfo<User>;
  readonly sink: EventSink;
  readonly writer: EventStreamWriter;
  /**
   * The newest id this stream was sent or must not get: live events at or below it are skipped
   * (on a broker they can arrive after the stream's replay, or predate its connect).
   */
  deliveredThrough: number;
}

/** A request that passed validation and the application's callbacks, ready to stream. */
interface Ticket<User> {
  readonly request: StreamRequest;
  readonly info: StreamInfo<User>;
  readonly lease: Lease;
  /** The broker's answer; `undefined` without a broker or while it is away. */
  readonly admission: Admission | undefined;
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
export function describeError(error: unknown): string {
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

/** What a web runtime may hold for a client that is behind, before the writer queues. */
const WEB_HIGH_WATER_MARK = 64 * 1024;

const MEMORY_BROKER_STATS: BrokerStats = Object.freeze({
  kind: 'memory',
  state: 'ready',
  pendingPublishes: 0,
  failedPublishes: 0,
  restarts: 0,
});

class StreamHub<User> implements Hub<User, string | Promise<string>> {
  private readonly log: EventLog;
  private readonly requestRules: StreamRequestRules;
  private readonly broker: Broker | undefined;
  /** Identifies this process's streams to a broker. */
  private readonly processId = crypto.randomUUID();
  private streamCount = 0;
  /** The newest sticky event per topic, then per event name. */
  private readonly stickyEvents = new Map<string, Map<string, LoggedEvent>>();
  private readonly streams = new Set<OpenStream<User>>();
  private readonly streamsByTopic = new Map<string, Set<OpenStream<User>>>();
  private readonly streamsByClient = new Map<string, OpenStream<User>>();
  private readonly streamsByToken = new Map<string, OpenStream<User>>();
  private readonly streamCountByUser = new Map<string, number>();
  /** One timer for all streams, running only while some are open. */
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private connects = 0;
  private dropped = 0;
  /** Times the broker's sequence could not be followed without a hole. */
  private restarts = 0;
  /** Control entries at or below this id were read to fill the ring: already acted on. */
  private controlFloor = 0;
  private closed = false;

  constructor(private readonly options: ResolvedHubOptions<User>) {
    this.log = new EventLog(options.replayBufferSize);
    this.requestRules = {
      pattern: options.topicPattern,
      maxLength: options.maxTopicLength,
      maxTopics: options.maxTopics,
      lastEventIdParam: options.lastEventIdParam,
    };
    this.broker = options.broker;
    const log = this.log;
    this.broker?.attach({
      ingest: (entry) => this.ingest(entry),
      restart: (from, through, reset) => this.restart(from, through, reset),
      restoreSticky: (records) => this.restoreSticky(records),
      get headId() {
        return log.headId;
      },
      leases: () => [...this.streams].map((stream) => stream.lease),
      processId: this.processId,
      replayBufferSize: options.replayBufferSize,
      logger: options.logger,
    });
  }

  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    this.decide(req)
      .then((decision) => {
        if ('status' in decision) {
          sendError(res, decision);
          return;
        }
        // The client left while the callbacks ran (or before a framework handed the request
        // on): its 'close' event is past, so a stream registered now would never be forgotten.
        if (res.destroyed) {
          this.releaseTicket(decision);
          return;
        }
        const refusal = this.open(decision, () => {
          res.writeHead(200, SSE_HEADERS);
          res.flushHeaders();
          res.socket?.setNoDelay(true);
          return new NodeEventSink(res);
        });
        if (refusal !== undefined) sendError(res, refusal);
      })
      .catch((error: unknown) => {
        this.reportFailure(error);
        sendError(res, { status: 500, body: { error: 'internal' } });
      });
  };

  readonly fetch = async (request: Request): Promise<Response> => {
    try {
      const decision = await this.decide(request);
      if ('status' in decision) return errorResponse(decision);
      let body: ReadableStream<Uint8Array> | undefined;
      const refusal = request.signal.aborted
        ? { status: 499, body: { error: 'client_gone' } }
        : this.open(decision, () => {
            const sink = new WebEventSink(request.signal, WEB_HIGH_WATER_MARK);
            body = sink.body;
            return sink;
          });
      if (refusal !== undefined || body === undefined) {
        if (refusal?.status === 499) this.releaseTicket(decision);
        return errorResponse(refusal ?? { status: 500, body: { error: 'internal' } });
      }
      return new Response(body, { status: 200, headers: SSE_HEADERS });
    } catch (error) {
      this.reportFailure(error);
      return errorResponse({ status: 500, body: { error: 'internal' } });
    }
  };

  publish(
    topic: string,
    eventName: string,
    data: unknown,
    options: PublishOptions = {},
  ): string | Promise<string> {
    assertPublishName('topic', topic, this.requestRules);
    assertPublishName('eventName', eventName, this.requestRules);
    if (this.closed) throw new Error('publish: the hub is closed');
    // Serialize before taking an id: a failed publish must not leave a gap in the ids.
    const envelope = serializeEnvelope(topic, data);
    const sticky = options.sticky === true;
    if (this.broker !== undefined) {
      const published = this.broker.publish(topic, eventName, envelope, sticky);
      // Handled here, still rejecting for whoever awaits: an unawaited publish never crashes.
      published.catch(() => {});
      return published;
    }
    const event = this.log.append(topic, eventName, envelope);
    this.deliver(event, sticky);
    return String(event.id);
  }

  forceLogout(target: string | ((user: User) => boolean)): number {
    const match =
      typeof target === 'string'
        ? (stream: OpenStream<User>) => stream.info.userKey === target
        : (stream: OpenStream<User>) => target(stream.info.user);
    // Match every stream before ending any: a throwing `match` then ends none.
    const matching = [...this.streams].filter(match);
    if (typeof target === 'string') this.broker?.forceLogout(target);
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
      broker:
        this.broker === undefined
          ? { ...MEMORY_BROKER_STATS, state: this.closed ? 'closed' : 'ready' }
          : { ...this.broker.stats(), restarts: this.restarts },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const stream of this.streams) {
      this.closeStream(stream, { type: 'server_close', reason: 'shutdown' });
    }
    this.stopHeartbeat();
    await this.broker?.close();
  }

  /** Everything before the stream opens: validation, the app's callbacks, the broker's caps. */
  private async decide(req: HubRequest): Promise<Rejection | Ticket<User>> {
    const request = readStreamRequest(viewOf(req), this.requestRules);
    if ('status' in request) return request;
    const user = await callApp('authorize', () => this.options.authorize(req));
    if (user === null || user === undefined) {
      return { status: 401, body: { error: 'unauthorized' } };
    }
    const userKey = await callApp('userKey', () => this.options.userKey(user));
    const forbidden = await this.findForbiddenTopic(user, request.topics);
    if (forbidden !== undefined) {
      return {
        status: 403,
        body: { error: 'forbidden_topic', reason: `topic ${quoteName(forbidden)} is not allowed` },
      };
    }
    if (this.closed) return this.unavailable('the server is shutting down');
    const clientId = request.clientId;
    const lease: Lease = {
      token: `${this.processId}:${++this.streamCount}`,
      userKey,
      replacementKey: clientId === undefined ? undefined : JSON.stringify([userKey, clientId]),
    };
    const admission = await this.broker?.admit({
      ...lease,
      maxStreams: this.options.maxStreams,
      maxStreamsPerUser: this.options.maxStreamsPerUser,
    });
    if (admission?.outcome === 'refused') return this.unavailable(admission.reason);
    return { request, info: { user, userKey, clientId, topics: request.topics }, lease, admission };
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

  /**
   * Synchronous from the last check to registration, so no event can fall between replay and
   * live. `start` sends the 200 and returns where the stream's bytes go.
   */
  private open(ticket: Ticket<User>, start: () => EventSink): Rejection | undefined {
    const { request, info, lease, admission } = ticket;
    if (this.closed) {
      this.releaseTicket(ticket);
      return this.unavailable('the server is shutting down');
    }
    const replaced =
      lease.replacementKey === undefined
        ? undefined
        : this.streamsByClient.get(lease.replacementKey);
    // Admitted by a broker: its counts span every process. Otherwise this process's own.
    if (admission === undefined) {
      const freed = replaced === undefined ? 0 : 1;
      const userCount = this.streamCountByUser.get(info.userKey) ?? 0;
      if (this.streams.size - freed >= this.options.maxStreams) {
        return this.unavailable('too many open streams');
      }
      if (userCount - freed >= this.options.maxStreamsPerUser) {
        return this.unavailable('too many open streams for this user');
      }
    }
    if (replaced !== undefined) {
      this.closeStream(replaced, { type: 'server_close', reason: 'replaced' });
    }

    const sink = start();
    const sharedHead = admission?.outcome === 'admitted' ? admission.headId : this.log.headId;
    const stream: OpenStream<User> = {
      lease,
      info: Object.freeze({ ...info, topics: Object.freeze([...info.topics]) }),
      sink,
      writer: new EventStreamWriter(sink, this.options.maxBufferedBytes, () => this.drop(stream)),
      deliveredThrough: sharedHead,
    };
    sink.onClose(() => this.detach(stream));
    const hint = this.options.retryMs === null ? '' : retryFrame(this.options.retryMs);
    stream.writer.send(hint + this.catchUpFrames(stream, request));
    this.register(stream);
    this.runHook('onConnect', stream.info);
    return undefined;
  }

  /**
   * Replay (or reset), then the sticky events the replay did not already carry. Sets how far
   * the stream is served: live events at or below that are not sent again.
   */
  private catchUpFrames(stream: OpenStream<User>, request: StreamRequest): string {
    const plan = this.log.resume(request.lastEventId);
    const subscribed = new Set(request.topics);
    let frames = '';
    if (plan.kind === 'reset') {
      frames += controlFrame({ type: 'reset' }, plan.headId);
      stream.deliveredThrough = Math.max(stream.deliveredThrough, plan.headId);
    }
    if (plan.kind === 'replay') {
      for (const event of plan.events) {
        if (subscribed.has(event.topic)) frames += event.frame;
      }
      // Behind the shared sequence (a broker this process reads later): what the client has
      // seen is not sent again, what it has not comes live.
      stream.deliveredThrough = Math.min(
        Math.max(plan.after, this.log.headId),
        Math.max(stream.deliveredThrough, this.log.headId),
      );
    }
    for (const event of this.stickyEventsFor(request.topics, plan)) frames += event.frame;
    return frames;
  }

  private stickyEventsFor(topics: readonly string[], plan: ResumePlan): LoggedEvent[] {
    const alreadyReplayed = (event: LoggedEvent) => plan.kind === 'replay' && event.id > plan.after;
    return topics
      .flatMap((topic) => [...(this.stickyEvents.get(topic)?.values() ?? [])])
      .filter((event) => !alreadyReplayed(event))
      .sort((a, b) => a.id - b.id);
  }

  /** An event of the sequence, to every subscribed stream that has not been served it. */
  private deliver(event: LoggedEvent, sticky: boolean): void {
    if (sticky) this.keepSticky(event);
    for (const stream of this.streamsByTopic.get(event.topic) ?? []) {
      if (event.id <= stream.deliveredThrough) continue;
      stream.deliveredThrough = event.id;
      stream.writer.send(event.frame, event.bytes);
    }
  }

  /** The broker's entries, in order; a hole in the ids restarts the log first. */
  private ingest(entry: BrokerEntry): void {
    if (!this.log.follows(entry.id)) this.restart(entry.id - 1, entry.id - 1, true);
    if (entry.kind !== 'event') {
      this.log.skip(entry.id);
      if (entry.id > this.controlFloor) this.applyControl(entry);
      return;
    }
    const event = makeEvent(entry.id, entry.topic, entry.eventName, entry.envelope);
    this.log.record(event);
    this.deliver(event, entry.sticky);
  }

  private applyControl(entry: Exclude<BrokerEntry, { kind: 'event' }>): void {
    if (entry.kind === 'replaced') {
      const stream = this.streamsByToken.get(entry.token);
      if (stream !== undefined) {
        this.closeStream(stream, { type: 'server_close', reason: 'replaced' });
      }
      return;
    }
    if (entry.origin === this.processId) return;
    for (const stream of [...this.streams]) {
      if (stream.info.userKey === entry.userKey) {
        this.closeStream(stream, { type: 'force_logout' });
      }
    }
  }

  /** The broker's sequence goes on after `from`; with `reset`, every stream must resync. */
  private restart(from: number, through: number, reset: boolean): void {
    this.log.restart(from);
    this.controlFloor = through;
    if (reset) this.restarts += 1;
    const frame = controlFrame({ type: 'reset' }, through);
    for (const stream of this.streams) {
      if (reset) {
        stream.deliveredThrough = through;
        stream.writer.send(frame);
      } else {
        stream.deliveredThrough = Math.max(stream.deliveredThrough, from);
      }
    }
  }

  private restoreSticky(records: readonly StickyRecord[]): void {
    this.stickyEvents.clear();
    for (const record of records) {
      this.keepSticky(makeEvent(record.id, record.topic, record.eventName, record.envelope));
    }
  }

  private keepSticky(event: LoggedEvent): void {
    let byEventName = this.stickyEvents.get(event.topic);
    if (byEventName === undefined) {
      byEventName = new Map();
      this.stickyEvents.set(event.topic, byEventName);
    }
    const current = byEventName.get(event.eventName);
    if (current === undefined || current.id < event.id) byEventName.set(event.eventName, event);
  }

  private register(stream: OpenStream<User>): void {
    const { info, lease } = stream;
    this.streams.add(stream);
    this.streamsByToken.set(lease.token, stream);
    this.connects += 1;
    for (const topic of info.topics) {
      let subscribers = this.streamsByTopic.get(topic);
      if (subscribers === undefined) {
        subscribers = new Set();
        this.streamsByTopic.set(topic, subscribers);
      }
      subscribers.add(stream);
    }
    if (lease.replacementKey !== undefined) this.streamsByClient.set(lease.replacementKey, stream);
    this.streamCountByUser.set(info.userKey, (this.streamCountByUser.get(info.userKey) ?? 0) + 1);
    this.heartbeat ??= setInterval(this.sendHeartbeats, this.options.heartbeatMs);
  }

  /** Forgets a stream: every index, the broker's count and (with the last) the heartbeat. */
  private detach(stream: OpenStream<User>): void {
    if (!this.streams.delete(stream)) return;
    const { info, lease } = stream;
    this.streamsByToken.delete(lease.token);
    for (const topic of info.topics) {
      const subscribers = this.streamsByTopic.get(topic);
      subscribers?.delete(stream);
      if (subscribers?.size === 0) this.streamsByTopic.delete(topic);
    }
    if (
      lease.replacementKey !== undefined &&
      this.streamsByClient.get(lease.replacementKey) === stream
    ) {
      this.streamsByClient.delete(lease.replacementKey);
    }
    const remaining = (this.streamCountByUser.get(info.userKey) ?? 1) - 1;
    if (remaining > 0) this.streamCountByUser.set(info.userKey, remaining);
    else this.streamCountByUser.delete(info.userKey);
    stream.writer.release();
    this.broker?.release(lease);
    if (this.streams.size === 0) this.stopHeartbeat();
    this.runHook('onDisconnect', info);
  }

  /** A ticket that will not become a stream gives its place back. */
  private releaseTicket(ticket: Ticket<User>): void {
    if (ticket.admission?.outcome === 'admitted') this.broker?.release(ticket.lease);
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

  /** A 503 whose `Retry-After` is spread over [retryAfterSeconds, 2 × retryAfterSeconds]. */
  private unavailable(reason: string): Rejection {
    const least = this.options.retryAfterSeconds;
    const seconds = least + Math.floor(Math.random() * (least + 1));
    return {
      status: 503,
      body: { error: 'unavailable', reason },
      headers: { 'retry-after': String(seconds) },
    };
  }

  private reportFailure(error: unknown): void {
    const what =
      error instanceof CallbackError
        ? `${error.callback} threw ${describeError(error.cause)}`
        : `unexpected error ${describeError(error)}`;
    this.options.logger.error(`tabcast/server: ${what}`);
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
 * Last-Event-ID, sticky values, heartbeats, per-client replacement and bounded buffering. With a
 * `broker` (`tabcast/server/redis`) it is shared by every process on that broker.
 * @example
 * const hub = createHub({ authorize: (req) => sessionUser(req) });
 * http.createServer(hub.handler).listen(8080);
 * hub.publish('results:42', 'status-changed', { state: 'done' });
 */
export function createHub<User>(options: BrokeredHubOptions<User>): Hub<User, Promise<string>>;
export function createHub<User>(options: HubOptions<User>): Hub<User>;
export function createHub<User>(
  options: HubOptions<User> | BrokeredHubOptions<User>,
): Hub<User, string | Promise<string>> {
  return new StreamHub(resolveHubOptions(options));
}
