import type { Broker } from './broker';
import type { HubRequest } from './request';
import type { HubLogger, StreamInfo } from './types';

export interface HubOptions<User> {
  /**
   * Decides who is asking. Return the user, or `null`/`undefined` for a 401
   * `{"error":"unauthorized"}`. A throw or rejection answers 500 `{"error":"internal"}` and is
   * logged without the request's headers. `req` is what the front door received: a
   * `node:http` request from `hub.handler`, a web `Request` from `hub.fetch`; `headerOf(req,
   * name)` reads a header of either.
   * @example authorize: (req) => sessions.get(sidOf(headerOf(req, 'cookie'))) ?? null
   */
  authorize: (req: HubRequest) => User | null | undefined | Promise<User | null | undefined>;
  /**
   * A stable string per user: groups streams in `stats()` and scopes replacement by `clientId`.
   * @default the user itself when it is a string or number, else `String(user.id)`; a user
   * without either is a configuration error (answered 500 and logged)
   */
  userKey?: (user: User) => string;
  /**
   * Whether this user may subscribe to this topic. A refusal answers 403
   * `{"error":"forbidden_topic","reason":...}`.
   * @default every topic is allowed
   */
  allowTopic?: (user: User, topic: string) => boolean | Promise<boolean>;
  /**
   * The allowlist every topic and event name must match. CR, LF and comma are refused even if
   * the pattern allows them. Without the `g` or `y` flag (those make `test()` stateful).
   * @default /^[A-Za-z0-9_.:\-/]+$/
   */
  topicPattern?: RegExp;
  /**
   * The longest topic or event name, in characters.
   * @default 128
   */
  maxTopicLength?: number;
  /**
   * The most topics one stream may ask for (after removing duplicates).
   * @default 32
   */
  maxTopics?: number;
  /**
   * How many of the newest events (all topics together) are kept to replay after Last-Event-ID.
   * `0` keeps none: every resume gets a `reset`.
   * @default 1000
   */
  replayBufferSize?: number;
  /**
   * The query parameter that carries the last event id (native `EventSource` cannot send the
   * `Last-Event-ID` header on a new instance). The header wins when both are present.
   * @default 'lastEventId'
   */
  lastEventIdParam?: string;
  /**
   * How often each stream gets the heartbeat control event (`{"type":"heartbeat"}`), in ms.
   * @default 15000
   */
  heartbeatMs?: number;
  /**
   * The reconnect hint sent as the first bytes of every stream (`retry: <ms>`), in milliseconds.
   * A tabcast client takes it as its backoff base and a floor; `null` sends none, so the
   * clients' own `backoff` policy alone spreads their reconnects.
   * @default 2000
   */
  retryMs?: number | null;
  /**
   * The most bytes a stream may have waiting for a slow client. Beyond it the stream is cut and
   * counted in `stats().dropped`, so a stalled client never holds unbounded memory. Keep it above
   * your largest event.
   * @default 1048576 (1 MiB)
   */
  maxBufferedBytes?: number;
  /**
   * The most streams open at once (on a broker: across every process). Beyond it a request gets
   * 503 with `Retry-After`. A stream replacing its client's older one is always let in.
   * @default Infinity
   */
  maxStreams?: number;
  /**
   * The most streams one `userKey` may have open at once (on a broker: across every process).
   * Beyond it 503 with `Retry-After`.
   * @default Infinity
   */
  maxStreamsPerUser?: number;
  /**
   * The least `Retry-After` of a 503 (too many streams, or the hub is closed), in seconds. Each
   * answer picks a whole number from this to twice this at random, so refused clients come back
   * spread out instead of all at once.
   * @default 5
   */
  retryAfterSeconds?: number;
  /**
   * Called when a stream opens. A throw or rejection is logged and never affects the stream.
   * @default does nothing
   */
  onConnect?: (info: StreamInfo<User>) => void | Promise<void>;
  /**
   * Called once when a stream ends, whatever the cause (client gone, replaced, dropped, closed).
   * A throw or rejection is logged.
   * @default does nothing
   */
  onDisconnect?: (info: StreamInfo<User>) => void | Promise<void>;
  /**
   * Receives one line per failure of an application callback. Never given payloads or headers.
   * @default console
   */
  logger?: HubLogger;
}

/** The options of a hub shared with other processes through a broker. */
export interface BrokeredHubOptions<User> extends HubOptions<User> {
  /**
   * Shares the hub with other processes: `createRedisBroker()` from `tabcast/server/redis`.
   * Then `publish` returns a promise of the id, and caps, replacement and `forceLogout(userKey)`
   * hold across processes.
   */
  broker: Broker;
}

export type ResolvedHubOptions<User> = Required<Omit<HubOptions<User>, 'broker'>> & {
  broker: Broker | undefined;
};

function defaultUserKey(user: unknown): string {
  if (typeof user === 'string' || typeof user === 'number') return String(user);
  const id = (user as { id?: unknown } | null | undefined)?.id;
  if (typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint') return String(id);
  // String(user) would give every such user the key "[object Object]": streams of different
  // users would then replace each other.
  throw new TypeError(
    'the default userKey needs a string or number user, or a user with a string or number "id"; pass the userKey option',
  );
}

type HubDefaults = Readonly<
  Omit<ResolvedHubOptions<unknown>, 'authorize' | 'retryMs'> & { retryMs: number }
>;

/** The value of every option except `authorize`, when not given. */
export const HUB_DEFAULTS: HubDefaults = Object.freeze({
  userKey: defaultUserKey,
  allowTopic: (): boolean => true,
  topicPattern: /^[A-Za-z0-9_.:\-/]+$/,
  maxTopicLength: 128,
  maxTopics: 32,
  replayBufferSize: 1000,
  lastEventIdParam: 'lastEventId',
  heartbeatMs: 15_000,
  retryMs: 2_000,
  maxBufferedBytes: 1024 * 1024,
  maxStreams: Number.POSITIVE_INFINITY,
  maxStreamsPerUser: Number.POSITIVE_INFINITY,
  retryAfterSeconds: 5,
  onConnect: (): void => {},
  onDisconnect: (): void => {},
  logger: console,
  broker: undefined,
});

/** setInterval turns a longer delay into 1 ms, which would flood every stream. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Check = (value: unknown) => string | undefined;

const isFunction: Check = (value) =>
  typeof value === 'function' ? undefined : 'must be a function';
const isWholeNumber =
  (min: number, max?: number): Check =>
  (value) => {
    const fits =
      Number.isSafeInteger(value) &&
      (value as number) >= min &&
      (max === undefined || (value as number) <= max);
    if (fits) return undefined;
    return max === undefined
      ? `must be an integer >= ${min}`
      : `must be an integer from ${min} to ${max}`;
  };

const isCap: Check = (value) =>
  value === Number.POSITIVE_INFINITY || isWholeNumber(1)(value) === undefined
    ? undefined
    : 'must be an integer >= 1 or Infinity';

const OPTION_CHECKS: Record<keyof ResolvedHubOptions<unknown>, Check> = {
  authorize: isFunction,
  userKey: isFunction,
  allowTopic: isFunction,
  onConnect: isFunction,
  onDisconnect: isFunction,
  topicPattern: (value) => {
    if (!(value instanceof RegExp)) return 'must be a RegExp';
    if (value.global || value.sticky) return 'must not use the g or y flag';
    return undefined;
  },
  maxTopicLength: isWholeNumber(1),
  maxTopics: isWholeNumber(1),
  replayBufferSize: isWholeNumber(0),
  lastEventIdParam: (value) =>
    typeof value === 'string' && value.length > 0 ? undefined : 'must be a non-empty string',
  heartbeatMs: isWholeNumber(1, MAX_TIMER_MS),
  retryMs: (value) => (value === null ? undefined : isWholeNumber(0, MAX_TIMER_MS)(value)),
  maxBufferedBytes: isWholeNumber(1),
  maxStreams: isCap,
  maxStreamsPerUser: isCap,
  retryAfterSeconds: isWholeNumber(0),
  logger: (value) =>
    typeof (value as HubLogger | null | undefined)?.error === 'function'
      ? undefined
      : 'must be an object with an error(message) method',
  broker: (value) =>
    value === undefined ||
    (typeof (value as Broker | null)?.attach === 'function' &&
      typeof (value as Broker).publish === 'function')
      ? undefined
      : 'must be a broker made by createRedisBroker()',
};

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (typeof value === 'function') return 'a function';
  if (value instanceof RegExp) return String(value);
  if (value === null || typeof value !== 'object') return String(value);
  return 'an object';
}

/** Merges the options over `HUB_DEFAULTS`, throwing a `TypeError` that names any bad option. */
export function resolveHubOptions<User>(
  options: HubOptions<User> | BrokeredHubOptions<User>,
): ResolvedHubOptions<User> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createHub: options must be an object with at least authorize(req)');
  }
  const given: Partial<BrokeredHubOptions<User>> = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  );
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(OPTION_CHECKS, name)) {
      throw new TypeError(`createHub: unknown option "${name}"`);
    }
  }
  if (given.authorize === undefined) {
    throw new TypeError('createHub: option "authorize" is required: (req) => user | null');
  }
  const resolved = { ...HUB_DEFAULTS, ...given } as ResolvedHubOptions<User>;
  for (const [name, check] of Object.entries(OPTION_CHECKS)) {
    const value = resolved[name as keyof ResolvedHubOptions<User>];
    const problem = check(value);
    if (problem !== undefined) {
      throw new TypeError(`createHub: option "${name}" ${problem}, got ${describeValue(value)}`);
    }
  }
  return resolved;
}
