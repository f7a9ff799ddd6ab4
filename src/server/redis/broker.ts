import type { Redis, RedisOptions } from 'ioredis';
import type {
  Admission,
  AdmissionRequest,
  Broker,
  BrokerEntry,
  BrokerLink,
  BrokerState,
  BrokerStats,
  Lease,
  StickyRecord,
} from '../broker';
import { TabcastPublishError } from '../errors';
import { findNamespaceProblem, type RedisKeys, redisKeys } from './keys';
import { ADMIT_SCRIPT, PUBLISH_SCRIPT, RELEASE_SCRIPT, RENEW_SCRIPT } from './scripts';

export interface RedisBrokerOptions {
  /**
   * Your ioredis client, as a template: the broker opens its own two connections with
   * `client.duplicate()` (one blocks reading the stream) and never uses or closes yours.
   */
  client: Redis;
  /**
   * Names the hub in Redis: every process of one hub uses the same. It becomes the keys' hash
   * tag (`tabcast:{<namespace>}:…`), so Redis Cluster keeps the hub's keys on one slot.
   * @default 'default'
   */
  namespace?: string;
  /**
   * Publishes that may wait while Redis is away, in order. Beyond it a publish rejects with a
   * `TabcastPublishError` (`broker_unavailable`) and is counted in `stats().broker`.
   * @default 10000
   */
  maxPendingPublishes?: number;
  /**
   * How long Redis counts a stream against the caps without hearing from its process; the
   * process renews every third of it. A process that dies frees its streams after this.
   * @default 30000
   */
  leaseMs?: number;
  /**
   * The longest a command may take before it counts as failed (Redis hanging), in ms.
   * @default 2000
   */
  commandTimeoutMs?: number;
  /**
   * Reconnect delays: full jitter, `random() * min(capMs, baseMs * 2^attempt)`.
   * @default { baseMs: 100, capMs: 5000 }
   */
  reconnect?: { baseMs: number; capMs: number };
}

export const REDIS_BROKER_DEFAULTS = Object.freeze({
  namespace: 'default',
  maxPendingPublishes: 10_000,
  leaseMs: 30_000,
  commandTimeoutMs: 2_000,
  reconnect: Object.freeze({ baseMs: 100, capMs: 5_000 }),
});

/** The Stream keeps at least this many entries, so a reader a moment behind loses nothing. */
const MIN_STREAM_LENGTH = 1_000;
/** Publishes sent at once; the publish script answers retries of the last 1024. */
const PUBLISH_BATCH = 512;
/** How long a read blocks; the reader also notices a closed broker this often. */
const READ_BLOCK_MS = 5_000;
const READ_COUNT = 1_000;
const LEASES_PER_RENEWAL = 200;
const MAX_UNRELEASED = 10_000;
/** A publisher's retry answers are kept a day, far longer than any outage they answer for. */
const PUBLISHER_TTL_MS = 86_400_000;

/** Redis answers that mean "not now" rather than "never". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOSCRIPT)/;

interface PendingPublish {
  readonly number: number;
  readonly stickyField: string;
  readonly fields: string[];
  readonly resolve: (id: string) => void;
  readonly reject: (error: TabcastPublishError) => void;
}

interface ScriptCommands {
  tabcastPublish(...args: (string | number)[]): Promise<string>;
  tabcastAdmit(...args: (string | number)[]): Promise<[string, string]>;
  tabcastRenew(...args: (string | number)[]): Promise<number>;
  tabcastRelease(...args: (string | number)[]): Promise<number>;
}

type StreamReply = [string, [string, string[]][]][] | null;

function isReplyError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ReplyError';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `<id>-0` → the id, or `undefined` for an entry this broker did not write. */
function idOf(streamId: string): number | undefined {
  const match = /^(\d{1,16})-0$/.exec(streamId);
  return match === null ? undefined : Number(match[1]);
}

function fieldsOf(flat: string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (let index = 0; index + 1 < flat.length; index += 2)
    fields.set(flat[index]!, flat[index + 1]!);
  return fields;
}

function entryOf(id: number, flat: string[]): BrokerEntry | undefined {
  const fields = fieldsOf(flat);
  const control = fields.get('c');
  if (control === 'replaced') {
    const token = fields.get('k');
    return token === undefined ? undefined : { kind: 'replaced', id, token };
  }
  if (control === 'logout') {
    const userKey = fields.get('u');
    const origin = fields.get('o');
    return userKey === undefined || origin === undefined
      ? undefined
      : { kind: 'logout', id, userKey, origin };
  }
  const topic = fields.get('t');
  const eventName = fields.get('e');
  const envelope = fields.get('d');
  if (topic === undefined || eventName === undefined || envelope === undefined) return undefined;
  return { kind: 'event', id, topic, eventName, envelope, sticky: fields.get('s') === '1' };
}

function stickyRecords(hash: Record<string, string>): StickyRecord[] {
  const records: StickyRecord[] = [];
  for (const [field, value] of Object.entries(hash)) {
    const [topic, eventName] = field.split('\n');
    const newline = value.indexOf('\n');
    const id = Number(value.slice(0, newline));
    if (topic === undefined || eventName === undefined || newline < 0) continue;
    if (!Number.isSafeInteger(id)) continue;
    records.push({ id, topic, eventName, envelope: value.slice(newline + 1) });
  }
  return records;
}

/**
 * The Redis broker. Every process appends to one capped Stream through a script that numbers
 * entries from one counter, and reads that Stream back in order on a connection of its own: the
 * order every process delivers in is Redis's, and a hole in the ids (entries trimmed while a
 * process was cut off, or Redis's data lost) is seen and answered with `reset`.
 */
class RedisBroker implements Broker {
  private readonly keys: RedisKeys;
  private readonly options: Required<Omit<RedisBrokerOptions, 'client'>>;
  private readonly commands: Redis & ScriptCommands;
  private readonly reader: Redis;
  private link: BrokerLink | undefined;
  private state: BrokerState = 'connecting';
  private readonly queue: PendingPublish[] = [];
  private sending = false;
  private publishNumber = 0;
  private failedPublishes = 0;
  /** Leases of streams that ended while Redis was away: released once it is back. */
  private readonly unreleased = new Set<string>();
  private renewTimer: ReturnType<typeof setInterval> | undefined;
  private reading: Promise<void> | undefined;
  /** Where the next read starts (`<id>-0`); resynced after every reconnect. */
  private readFrom = '0-0';
  private synced = false;
  private needsSync = true;
  /** The Stream was empty at the last sync: its first entry starts the sequence, no reset. */
  private anchorOnFirst = false;
  private wakeReader: (() => void) | undefined;

  constructor(options: RedisBrokerOptions) {
    const { client, ...rest } = options;
    this.options = { ...REDIS_BROKER_DEFAULTS, ...rest } as Required<
      Omit<RedisBrokerOptions, 'client'>
    >;
    this.keys = redisKeys(this.options.namespace);
    const connection: Partial<RedisOptions> = {
      lazyConnect: true,
      // Our own queue orders and bounds what waits; ioredis must neither queue nor resend.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => this.reconnectDelay(attempt),
    };
    this.commands = client.duplicate({
      ...connection,
      commandTimeout: this.options.commandTimeoutMs,
    }) as Redis & ScriptCommands;
    this.reader = client.duplicate({
      ...connection,
      commandTimeout: READ_BLOCK_MS + this.options.commandTimeoutMs,
    });
    this.commands.defineCommand('tabcastPublish', { numberOfKeys: 4, lua: PUBLISH_SCRIPT });
    this.commands.defineCommand('tabcastAdmit', { numberOfKeys: 6, lua: ADMIT_SCRIPT });
    this.commands.defineCommand('tabcastRenew', { numberOfKeys: 4, lua: RENEW_SCRIPT });
    this.commands.defineCommand('tabcastRelease', { numberOfKeys: 4, lua: RELEASE_SCRIPT });
  }

  attach(link: BrokerLink): void {
    if (this.link !== undefined) throw new TypeError('createHub: a broker serves one hub');
    this.link = link;
    this.commands.on('ready', this.onReady);
    this.commands.on('close', this.onClose);
    // ioredis prints unhandled 'error' events itself; the state and one log line say enough.
    this.commands.on('error', () => {});
    this.reader.on('error', () => {});
    this.reader.on('ready', () => this.wakeReader?.());
    this.commands.connect().catch(() => {});
    this.reader.connect().catch(() => {});
    this.reading = this.readLoop();
    this.renewTimer = setInterval(() => this.renew(), Math.max(1, this.options.leaseMs / 3));
    this.renewTimer.unref?.();
  }

  publish(topic: string, eventName: string, envelope: string, sticky: boolean): Promise<string> {
    const fields = ['t', topic, 'e', eventName, 'd', envelope];
    if (sticky) fields.push('s', '1');
    return this.enqueue(sticky ? `${topic}\n${eventName}` : '', fields);
  }

  forceLogout(userKey: string): void {
    const origin = this.attached.processId;
    this.enqueue('', ['c', 'logout', 'u', userKey, 'o', origin]).catch(() => {});
  }

  async admit(request: AdmissionRequest): Promise<Admission | undefined> {
    // Before the first sync this process's ring is not on the shared sequence yet.
    if (this.state !== 'ready' || !this.synced) return undefined;
    const keys = this.keys;
    const cap = (value: number) => (Number.isFinite(value) ? value : -1);
    try {
      const [outcome, detail] = await this.commands.tabcastAdmit(
        keys.leases,
        keys.streams,
        keys.users,
        keys.clients,
        keys.sequence,
        keys.events,
        request.token,
        request.userKey,
        request.replacementKey ?? '',
        cap(request.maxStreams),
        cap(request.maxStreamsPerUser),
        this.options.leaseMs,
        this.attached.processId,
        this.streamLength,
      );
      if (outcome === 'refused') {
        return {
          outcome: 'refused',
          reason:
            detail === 'user' ? 'too many open streams for this user' : 'too many open streams',
        };
      }
      return { outcome: 'admitted', headId: Number(detail) };
    } catch {
      // Redis went away meanwhile: admit on this process's counts; the renewal counts it later.
      return undefined;
    }
  }

  release(lease: Lease): void {
    this.unreleased.add(lease.token);
    // Bounded while Redis is away: an unreleased lease also ends by itself when it expires.
    if (this.unreleased.size > MAX_UNRELEASED) {
      this.unreleased.delete(this.unreleased.keys().next().value!);
    }
    this.flushReleases();
  }

  stats(): Omit<BrokerStats, 'restarts'> {
    // Shared only once the reader follows the sequence too.
    const reading = this.synced && !this.needsSync;
    const state =
      this.state === 'ready' && !reading ? (this.synced ? 'down' : 'connecting') : this.state;
    return {
      kind: 'redis',
      state,
      pendingPublishes: this.queue.length,
      failedPublishes: this.failedPublishes,
    };
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    clearInterval(this.renewTimer);
    for (const pending of this.queue.splice(0)) {
      this.failedPublishes += 1;
      pending.reject(
        new TabcastPublishError('closed', 'publish: the hub closed before Redis took it'),
      );
    }
    if (wasReady) await this.sendReleases().catch(() => {});
    this.reader.disconnect();
    this.wakeReader?.();
    await this.commands.quit().catch(() => this.commands.disconnect());
    await this.reading;
  }

  private get closed(): boolean {
    return this.state === 'closed';
  }

  private get attached(): BrokerLink {
    if (this.link === undefined) throw new Error('the broker is not attached to a hub');
    return this.link;
  }

  private get streamLength(): number {
    return Math.max(this.attached.replayBufferSize, MIN_STREAM_LENGTH);
  }

  private reconnectDelay(attempt: number): number | null {
    if (this.state === 'closed') return null;
    const { baseMs, capMs } = this.options.reconnect;
    return Math.round(Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20)));
  }

  private readonly onReady = (): void => {
    if (this.state === 'closed') return;
    this.state = 'ready';
    this.pump();
    this.flushReleases();
    this.renew();
  };

  private readonly onClose = (): void => {
    if (this.state !== 'ready') return;
    this.state = 'down';
    this.attached.logger.error(
      'tabcast/server/redis: lost the connection to Redis; streams of this process are served alone, publishes wait',
    );
  };

  private enqueue(stickyField: string, fields: string[]): Promise<string> {
    if (this.state === 'closed') {
      return Promise.reject(new TabcastPublishError('closed', 'publish: the hub is closed'));
    }
    if (this.queue.length >= this.options.maxPendingPublishes) {
      this.failedPublishes += 1;
      return Promise.reject(
        new TabcastPublishError(
          'broker_unavailable',
          `publish: Redis is unavailable and ${this.queue.length} publishes are already waiting`,
        ),
      );
    }
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ number: ++this.publishNumber, stickyField, fields, resolve, reject });
      this.pump();
    });
  }

  /**
   * Sends waiting publishes in order, a batch at a time. A batch that meets a connection
   * failure keeps its unanswered publishes at the head of the queue for the next `ready`; the
   * script answers any that did run with their first id, so a retry never appends twice.
   */
  private pump(): void {
    if (this.sending || this.state !== 'ready' || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.queue.slice(0, PUBLISH_BATCH);
    const keys = this.keys;
    const publisher = keys.publisher(this.attached.processId);
    const sent = batch.map((pending) =>
      this.commands.tabcastPublish(
        keys.sequence,
        keys.events,
        keys.sticky,
        publisher,
        this.streamLength,
        pending.number,
        PUBLISHER_TTL_MS,
        pending.stickyField,
        ...pending.fields,
      ),
    );
    void Promise.allSettled(sent).then((results) => {
      let settled = 0;
      let retryLater = false;
      for (const [index, result] of results.entries()) {
        const pending = batch[index]!;
        if (result.status === 'fulfilled') {
          pending.resolve(String(result.value));
        } else if (isReplyError(result.reason) && !TRANSIENT_REPLY.test(messageOf(result.reason))) {
          this.failedPublishes += 1;
          pending.reject(
            new TabcastPublishError(
              'broker_error',
              `publish: Redis refused the event (${messageOf(result.reason)})`,
            ),
          );
        } else {
          retryLater = true;
          break;
        }
        settled += 1;
      }
      this.queue.splice(0, settled);
      this.sending = false;
      if (!retryLater) this.pump();
      // Disconnected: the next `ready` sends them. Connected but answering "not now" (loading,
      // busy) or too slowly: try again after a pause.
      else setTimeout(() => this.pump(), this.reconnectDelay(3) ?? 0).unref?.();
    });
  }

  private renew(): void {
    if (this.state !== 'ready') return;
    const leases = this.attached.leases();
    for (let start = 0; start < leases.length; start += LEASES_PER_RENEWAL) {
      const args = leases
        .slice(start, start + LEASES_PER_RENEWAL)
        .flatMap((lease) => [lease.token, lease.userKey, lease.replacementKey ?? '']);
      const keys = this.keys;
      this.commands
        .tabcastRenew(
          keys.leases,
          keys.streams,
          keys.users,
          keys.clients,
          this.options.leaseMs,
          ...args,
        )
        .catch(() => {});
    }
  }

  private flushReleases(): void {
    if (this.state === 'ready') this.sendReleases().catch(() => {});
  }

  private async sendReleases(): Promise<void> {
    if (this.unreleased.size === 0) return;
    const tokens = [...this.unreleased];
    const keys = this.keys;
    await this.commands.tabcastRelease(
      keys.leases,
      keys.streams,
      keys.users,
      keys.clients,
      ...tokens,
    );
    for (const token of tokens) this.unreleased.delete(token);
  }

  /** Reads the Stream in order for as long as the broker lives, resyncing after any failure. */
  private async readLoop(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        await this.readerReady();
        if (this.closed) return;
        if (this.needsSync) await this.sync();
        const reply = (await this.reader.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          READ_BLOCK_MS,
          'STREAMS',
          this.keys.events,
          this.readFrom,
        )) as StreamReply;
        failures = 0;
        for (const [, entries] of reply ?? []) {
          for (const [streamId, flat] of entries) this.accept(streamId, flat);
        }
      } catch {
        if (this.closed) return;
        this.needsSync = true;
        failures += 1;
        await this.pause(this.reconnectDelay(failures) ?? 0);
      }
    }
  }

  private accept(streamId: string, flat: string[]): void {
    this.readFrom = streamId;
    const id = idOf(streamId);
    if (id === undefined) return;
    if (this.anchorOnFirst) {
      this.anchorOnFirst = false;
      this.attached.restart(id - 1, id - 1, false);
    }
    const entry = entryOf(id, flat);
    // An entry another writer put there takes its id but carries nothing.
    this.attached.ingest(entry ?? { kind: 'replaced', id, token: '' });
  }

  /**
   * Where to read from after a (re)connect, and whether what this process read before still
   * leads there. Redis's counter behind ours, or gone, means its data was lost: restart.
   */
  private async sync(): Promise<void> {
    const link = this.attached;
    const [oldest, sequence, sticky] = await Promise.all([
      this.reader.xrange(this.keys.events, '-', '+', 'COUNT', 1),
      this.reader.get(this.keys.sequence),
      this.reader.hgetall(this.keys.sticky),
    ]);
    const oldestId = oldest[0] === undefined ? undefined : idOf(oldest[0][0]);
    const head = sequence === null ? undefined : Number(sequence);
    const continues = this.synced && head !== undefined && head >= link.headId;
    if (!continues) {
      // A process that just started, or one whose Redis lost its data. Streams open before the
      // first sync were admitted on this process's own counts, with no shared id to go by.
      const reset = this.synced || link.leases().length > 0;
      this.anchorOnFirst = false;
      if (oldestId !== undefined) {
        link.restart(oldestId - 1, head ?? oldestId - 1, reset);
        this.readFrom = `${oldestId - 1}-0`;
      } else if (head !== undefined) {
        link.restart(head, head, reset);
        this.readFrom = `${head}-0`;
      } else {
        if (reset) link.restart(link.headId, link.headId, true);
        this.anchorOnFirst = true;
        this.readFrom = '0-0';
      }
    } else {
      this.readFrom = `${link.headId}-0`;
    }
    link.restoreSticky(stickyRecords(sticky));
    this.synced = true;
    this.needsSync = false;
  }

  private readerReady(): Promise<void> {
    if (this.reader.status === 'ready') return Promise.resolve();
    if (this.reader.status === 'wait' || this.reader.status === 'end') {
      this.reader.connect().catch(() => {});
    }
    this.needsSync = true;
    return new Promise((resolve) => {
      this.wakeReader = () => {
        this.wakeReader = undefined;
        resolve();
      };
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref?.();
      this.wakeReader = () => {
        clearTimeout(timer);
        this.wakeReader = undefined;
        resolve();
      };
    });
  }
}

/**
 * A broker that shares a hub between processes through Redis (ioredis): ids ordered across
 * processes, replay after a failover onto another process, sticky values, `forceLogout`,
 * replacement and stream caps across processes. The hub keeps serving its own streams while
 * Redis is away and resets them where it cannot prove it missed nothing.
 * @example
 * import Redis from 'ioredis';
 * import { createRedisBroker } from 'tabcast/server/redis';
 * const hub = createHub({ authorize, broker: createRedisBroker({ client: new Redis(url) }) });
 */
export function createRedisBroker(options: RedisBrokerOptions): Broker {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createRedisBroker: options must be an object with a client');
  }
  if (typeof options.client?.duplicate !== 'function') {
    throw new TypeError('createRedisBroker: option "client" must be an ioredis client');
  }
  const namespaceProblem =
    options.namespace === undefined ? undefined : findNamespaceProblem(options.namespace);
  if (namespaceProblem !== undefined) {
    throw new TypeError(`createRedisBroker: option "namespace" ${namespaceProblem}`);
  }
  for (const name of ['maxPendingPublishes', 'leaseMs', 'commandTimeoutMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
      throw new TypeError(`createRedisBroker: option "${name}" must be an integer >= 1`);
    }
  }
  const reconnect = options.reconnect;
  if (
    reconnect !== undefined &&
    !(
      Number.isFinite(reconnect.baseMs) &&
      reconnect.baseMs > 0 &&
      reconnect.capMs >= reconnect.baseMs
    )
  ) {
    throw new TypeError('createRedisBroker: option "reconnect" needs 0 < baseMs <= capMs');
  }
  return new RedisBroker(options);
}
