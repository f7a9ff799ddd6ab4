import type { InspectionEvent, Observer } from 'xstate';
import {
  CONNECTION_TIMING_DEFAULTS,
  type ConnectionTiming,
  type TransportKind,
} from '../machines/connection.machine.js';
import {
  LEADERSHIP_TIMING_DEFAULTS,
  type LeadershipTiming,
} from '../machines/leadership.machine.js';
import { BACKOFF_DEFAULTS, type BackoffOptions, type JitterStrategy } from './backoff.js';
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
   * Runs on the envelope's `data` (already JSON-parsed): a schema's `parse`, a date reviver.
   * A throw becomes a `TabcastParseError` for the subscription's `error` callback.
   */
  parse?: (data: unknown) => Payload;
}

export interface TabcastOptions<Events extends object = Record<string, unknown>> {
  /** The SSE endpoint (absolute, or relative to the page). Required. */
  url: string;
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
  /** Query parameter that carries the resume id for native EventSource. @default 'lastEventId' */
  lastEventIdParam?: string;
  /** Delays of the charts, in ms. @default `TIMING_DEFAULTS` */
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
const isNonNegative = (value: unknown) =>
  typeof value === 'number' && !Number.isNaN(value) && value >= 0;

/** Checks every option and fills in the defaults; throws `TabcastError('invalid_option')`. */
export function resolveOptions<Events extends object>(options: TabcastOptions<Events>) {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  if (typeof options.url !== 'string' || options.url.length === 0) {
    fail('`url` must be a non-empty string');
  }
  if (
    typeof options.appKey !== 'string' ||
    nameProblem(options.appKey) ||
    options.appKey.includes(':')
  ) {
    fail(
      '`appKey` must be a non-empty string of at most 128 characters without CR, LF, comma or colon',
    );
  }
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
    if (!isNonNegative(backoff[key]) || !Number.isFinite(backoff[key])) {
      fail(`\`backoff.${key}\` must be a finite number >= 0`);
    }
  }
  if (!(backoff.maxAttempts >= 1)) fail('`backoff.maxAttempts` must be at least 1');
  const timing = { ...DEFAULTS.timing, ...options.timing };
  for (const [key, value] of Object.entries(timing)) {
    if (!isNonNegative(value) || !Number.isFinite(value)) {
      fail(`\`timing.${key}\` must be a finite number >= 0`);
    }
  }
  if (timing.leaderTimeoutMs <= timing.heartbeatIntervalMs) {
    fail('`timing.leaderTimeoutMs` must be longer than `timing.heartbeatIntervalMs`');
  }
  const lastEventIdParam = options.lastEventIdParam ?? DEFAULTS.lastEventIdParam;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(lastEventIdParam)) {
    fail('`lastEventIdParam` must be 1-64 letters, digits, `_`, `.` or `-`');
  }
  for (const name of Object.keys(options.events ?? {})) {
    try {
      assertEventName(name);
    } catch (error) {
      fail(`\`events\`: ${(error as Error).message.replace('tabcast: ', '')}`);
    }
  }
  if (
    options.tabId !== undefined &&
    (typeof options.tabId !== 'string' || nameProblem(options.tabId))
  ) {
    fail('`tabId` must be a non-empty string of at most 128 characters');
  }
  return {
    url: options.url,
    appKey: options.appKey,
    transport,
    withCredentials: options.withCredentials ?? DEFAULTS.withCredentials,
    backoff,
    timing,
    lastEventIdParam,
  };
}
