/** The connection chart's types: what it is given, what it keeps, what it hears. */
import type { BackoffOptions } from './backoff.js';
import type { BarrierEvent, Interest, LifecycleEvent, SharedEvent, SourceEvent } from './events.js';
import type { ConnectionError, ConnectionStatus } from './status.js';
import type { ResumePoint } from './tab.resume.js';

export type TransportKind = 'eventsource' | 'fetch';

/**
 * `tabcast`: the companion's multiplexed wire (topics and client id in the query, a `{ topic,
 * data }` envelope, control events). `plain`: any SSE endpoint, as it is.
 */
export type Wire = 'tabcast' | 'plain';

export interface ConnectionTiming {
  /** A connect that has not opened by then counts as a failure (a server that hangs). */
  connectTimeoutMs: number;
  /** An open stream with no bytes, event or heartbeat for this long is reconnected; 0: never. */
  stallTimeoutMs: number;
  /** Open this long and the attempt counter starts again from 0. */
  stableAfterMs: number;
  /** Topic changes are gathered this long before the one reconnect they cause. */
  topicsDebounceMs: number;
  /** After the server closed the stream (`server_close`), reconnect within this jitter. */
  serverCloseJitterMs: number;
}

export interface ConnectionInput {
  /** The endpoint: the stream's name in the scope (every notice about it carries it). */
  url: string;
  wire: Wire;
  /** The scope, whose channel each attempt's barrier runs on. */
  scope: string;
  transport: TransportKind;
  /** The leader's tab id: the server replaces an older stream of the same client. */
  clientId: string;
  epoch: number;
  interest: Interest;
  /** The query parameter that carries the resume id for native EventSource; null: none. */
  lastEventIdParam: string | null;
  withCredentials: boolean;
  /** Whether this tab's page is hidden when the connection starts. */
  hidden: boolean;
  /**
   * A 401 is the session's: it refreshes credentials, and failing that signs the scope out.
   * Otherwise (the plain wire with no `refreshCredentials`) it is this endpoint's answer, as
   * `EventSource` takes it: the stream fails, the others go on.
   */
  sessionOn401: boolean;
  backoff?: BackoffOptions;
  timing?: ConnectionTiming;
}

export interface ConnectionContext {
  url: string;
  wire: Wire;
  scope: string;
  transport: TransportKind;
  clientId: string;
  epoch: number;
  interest: Interest;
  /** The topics the current (or last) attempt asked for. */
  streamTopics: string[];
  /**
   * Where the current attempt resumed from, read from the tab when it began; none when the
   * attempt cannot send a resume id (native EventSource without a query parameter).
   */
  resume: ResumePoint;
  lastEventIdParam: string | null;
  withCredentials: boolean;
  sessionOn401: boolean;
  backoff: BackoffOptions;
  timing: ConnectionTiming;
  /** Wall-clock time the stream last showed life (opened, a message, bytes, a heartbeat). */
  lastLifeAt: number;
  /** Consecutive failures; 0 after a stable open. */
  attempt: number;
  everOpened: boolean;
  retryDelayMs: number;
  retryAt: number | null;
  retryAfterMs: number | undefined;
  serverRetryMs: number | undefined;
  error: ConnectionError | null;
  /** The phase last reported, re-sent when a tab says hello. */
  phase: ConnectionStatus['phase'];
  /** Wall-clock time the current connect attempt times out. */
  connectDeadline: number;
  /** When this tab's next timer for the stream is due (with the phase last reported), or null. */
  deadline: number | null;
  /** Whether this tab's page is hidden: its timers run late, so it asks to be woken. */
  hidden: boolean;
}

export type ConnectionEvent =
  | BarrierEvent
  | SourceEvent
  | LifecycleEvent
  | SharedEvent
  | { type: 'topics.settled' };

export type ReportedPhase = ConnectionStatus['phase'] | 'pending' | 'current';

/** What a transport actor gets: everything it needs to open one stream, nothing secret. */
export interface TransportInput {
  url: string;
  wire: Wire;
  transport: TransportKind;
  events: string[];
  withCredentials: boolean;
  lastEventId: string | null;
}
