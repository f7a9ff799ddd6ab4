import type { InspectionEvent, Observer } from 'xstate';
import { BACKOFF_DEFAULTS, type BackoffOptions, type JitterStrategy } from '../machines/backoff.js';
import type { ConnectionTiming, TransportKind, Wire } from '../machines/connection.types.js';
import { CONNECTION_TIMING_DEFAULTS } from '../machines/connection.utils.js';
import type { LeadershipTiming } from '../machines/leadership.types.js';
import { LEADERSHIP_TIMING_DEFAULTS } from '../machines/leadership.utils.js';
import { TabcastError, type TabcastHandlerError, type TabcastParseError } from './errors.js';
import { assertEventName, nameProblem } from './names.js';
import type { Platform } from './platform.js';
import type { CredentialsProvider } from './transport/fetch.js';

/** Every timing of the charts, in ms. */
export type Timing = ConnectionTiming &
  LeadershipTiming & {
    /** How long a signing-out tab keeps the Web Lock after posting its logout. */
    signOutGraceMs: number;
  };

/** How one event name's data is turned into its typed payload, in every tab on receipt. */
export interface EventSpec<Payload> {
  /**
   * Runs on the envelope's `data` (already JSON-parsed) on the companion's wire, on the event's
   * raw `data` string on the plain wire: a schema's `parse`, `JSON.parse`, a date reviver. A
   * throw becomes a `TabcastParseError` for the subscription's `error` callback.
   */
  parse?: (data: unknown) => Payload;
}

export interface TabcastOptions<Events extends object = Record<string, unknown>> {
  /**
   * The SSE endpoint (absolute, or relative to the page). On the plain wire, the base each
   * subscription's endpoint is resolved against. Required.
   */
  url: string;
  /**
   * `tabcast`: the companion's wire (`tabcast/server`): one stream multiplexes the topics, events
   * come in a `{ topic, data }` envelope, control events are understood. `plain`: any SSE
   * server, as it is: a topic is an endpoint (resolved against `url`), each with its own
   * stream; handlers get the event's data string; nothing of ours is added to the request but
   * the resume id.
   * @default 'tabcast'
   */
  wire?: Wire;
  /** Names the app: the scope is `appKey + ':' + userId`. Required. */
  appKey: string;
  /**
   * `eventsource`: native EventSource, cookie auth. `fetch`: headers from `credentials`, real
   * HTTP statuses (401, 429 + Retry-After), `Last-Event-ID` as a header.
   * @default 'eventsource'
   */
  transport?: TransportKind;
  /** Headers for each connect of the `fetch` transport, read anew every time. @default none */
  credentials?: CredentialsProvider;
  /** Send cookies cross-origin. @default false */
  withCredentials?: boolean;
  /**
   * Called once when the stream answers 401. Resolve (with anything but `false`) when fresh
   * credentials are in place and the stream reconnects; reject or resolve `false` and every tab
   * signs out. Without it a 401 signs out.
   * @default none
   */
  refreshCredentials?: () => Promise<unknown>;
  /** Reconnect policy; see `BackoffOptions`. @default `BACKOFF_DEFAULTS` (full jitter, 1 s base, 30 s cap) */
  backoff?: Partial<BackoffOptions>;
  /**
   * Query parameter that carries the resume id for native EventSource (which cannot send the
   * `Last-Event-ID` header on a new connection); `null` sends none, and a reconnect then proves
   * no continuity (subscribers resync). The fetch transport always sends the header.
   * @default 'lastEventId' on the companion's wire, null on the plain wire
   */
  lastEventIdParam?: string | null;
  /**
   * Delays of the charts, in ms. @default `TIMING_DEFAULTS`, but on the plain wire with native
   * EventSource `stallTimeoutMs` is 0 (off): such a stream shows no heartbeat comments, so a
   * quiet stream would look stalled.
   */
  timing?: Partial<Timing>;
  /** Per-event `parse`, keyed by event name. @default none (the JSON data as is) */
  events?: { [Name in keyof Events]?: EventSpec<Events[Name]> };
  /**
   * Errors no subscription took: a parse error with no `error` callback, or an app callback
   * that threw (`TabcastHandlerError`).
   * @default a `console.warn` with the code and event name or callback (never the payload)
   */
  onError?: (error: TabcastParseError | TabcastHandlerError) => void;
  /** XState's inspection observer, e.g. `createBrowserInspector().inspect`. @default none */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** The browser, or fakes (`tabcast/testing`). Missing members are taken from the page. @default the page's */
  platform?: Partial<Platform>;
  /** This tab's id (tie-breaks and the server's client id). @default random */
  tabId?: string;
}

export const TIMING_DEFAULTS: Timing = {
  ...CONNECTION_TIMING_DEFAULTS,
  ...LEADERSHIP_TIMING_DEFAULTS,
  signOutGraceMs: 100,
};

export const DEFAULTS = {
  wire: 'tabcast' as Wire,
  transport: 'eventsource' as TransportKind,
  withCredentials: false,
  backoff: BACKOFF_DEFAULTS,
  lastEventIdParam: 'lastEventId',
  timing: TIMING_DEFAULTS,
};

const STRATEGIES: JitterStrategy[] = ['full', 'equal', 'decorrelated', 'none'];

function fail(message: string): never {
  throw new TabcastError('invalid_option', `tabcast: ${message}`);
}

const isFunctionOrAbsent = (value: unknown) => value === undefined || typeof value === 'function';
/** A number, not NaN, not infinite, not negative (`Number.isFinite` is false for all the rest). */
const isFiniteNonNegative = (value: unknown) => Number.isFinite(value) && (value as number) >= 0;

/**
 * Throws `TabcastError('invalid_option')` unless `graceMs` (of `subscribe` and
 * `TabcastProvider`) is a finite number >= 0.
 */
export function assertGraceMs(graceMs: unknown): asserts graceMs is number {
  if (!isFiniteNonNegative(graceMs)) fail('`graceMs` must be a finite number >= 0');
}

/** Checks every option and fills in the defaults; throws `TabcastError('invalid_option')`. */
export function resolveOptions<Events extends object>(options: TabcastOptions<Events>) {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  if (typeof options.url !== 'string' || options.url.length === 0) {
    fail('`url` must be a non-empty string');
  }
  // nameProblem refuses what is no string, so `includes` only ever sees one.
  if (nameProblem(options.appKey) || options.appKey.includes(':')) {
    fail(
      '`appKey` must be a non-empty string of at most 128 characters without CR, LF, comma or colon',
    );
  }
  const wire = options.wire ?? DEFAULTS.wire;
  if (wire !== 'tabcast' && wire !== 'plain') fail("`wire` must be 'tabcast' or 'plain'");
  const transport = options.transport ?? DEFAULTS.transport;
  if (transport !== 'eventsource' && transport !== 'fetch') {
    fail("`transport` must be 'eventsource' or 'fetch'");
  }
  if (options.credentials !== undefined && transport !== 'fetch') {
    fail("`credentials` needs transport 'fetch' (native EventSource cannot send headers)");
  }
  for (const name of ['credentials', 'refreshCredentials', 'onError', 'inspect'] as const) {
    const value = options[name];
    const isObserver = name === 'inspect' && typeof value === 'object' && value !== null;
    if (!isFunctionOrAbsent(value) && !isObserver) fail(`\`${name}\` must be a function`);
  }
  const backoff = { ...DEFAULTS.backoff, ...options.backoff };
  if (!STRATEGIES.includes(backoff.strategy)) {
    fail(`\`backoff.strategy\` must be one of ${STRATEGIES.join(', ')}`);
  }
  for (const key of ['baseMs', 'capMs'] as const) {
    if (!isFiniteNonNegative(backoff[key])) {
      fail(`\`backoff.${key}\` must be a finite number >= 0`);
    }
  }
  if (!(backoff.maxAttempts >= 1)) fail('`backoff.maxAttempts` must be at least 1');
  const quietByNature = wire === 'plain' && transport === 'eventsource';
  const timing = {
    ...DEFAULTS.timing,
    ...(quietByNature ? { stallTimeoutMs: 0 } : {}),
    ...options.timing,
  };
  for (const [key, value] of Object.entries(timing)) {
    if (!isFiniteNonNegative(value)) {
      fail(`\`timing.${key}\` must be a finite number >= 0`);
    }
  }
  if (timing.leaderTimeoutMs <= timing.heartbeatIntervalMs) {
    fail('`timing.leaderTimeoutMs` must be longer than `timing.heartbeatIntervalMs`');
  }
  const lastEventIdParam =
    options.lastEventIdParam === undefined
      ? wire === 'plain'
        ? null
        : DEFAULTS.lastEventIdParam
      : options.lastEventIdParam;
  if (lastEventIdParam !== null && !/^[A-Za-z0-9_.-]{1,64}$/.test(lastEventIdParam)) {
    fail('`lastEventIdParam` must be null or 1-64 letters, digits, `_`, `.` or `-`');
  }
  for (const name of Object.keys(options.events ?? {})) {
    try {
      assertEventName(name, wire);
    } catch (error) {
      fail(`\`events\`: ${(error as Error).message.replace('tabcast: ', '')}`);
    }
  }
  if (options.tabId !== undefined && nameProblem(options.tabId)) {
    fail('`tabId` must be a non-empty string of at most 128 characters');
  }
  return {
    url: options.url,
    appKey: options.appKey,
    wire,
    transport,
    withCredentials: options.withCredentials ?? DEFAULTS.withCredentials,
    backoff,
    timing,
    lastEventIdParam,
  };
}
