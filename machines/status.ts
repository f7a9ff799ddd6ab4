/** What every tab exposes; followers learn the connection part from the leader. */
export type Phase =
  | 'signedOut'
  /** Off the browser (server-side rendering, Node): the handle accepts calls and does nothing. */
  | 'inert'
  /** Signed in with no topic subscribed in any tab: nothing to stream, so no request. */
  | 'idle'
  | 'connecting'
  | 'open'
  | 'reconnecting'
  | 'failed'
  | 'closed';
export type Role = 'leader' | 'follower' | 'none';
export type Mode = 'locks' | 'fallback' | 'solo';

/** Why the connection stopped trying (`failed`) or last failed. */
export type ConnectionErrorCode =
  | 'network'
  | 'stalled'
  | 'timeout'
  | 'http'
  /** The server answered 200, but not with `text/event-stream`. */
  | 'not_event_stream'
  /** An event or a line longer than the fetch transport's bound (4 MiB): the stream was dropped. */
  | 'oversized'
  | 'invalid_topics'
  /** A 401 that was this endpoint's answer, not the session's (the plain wire, no refresh). */
  | 'unauthorized'
  | 'forbidden'
  | 'max_attempts';

export interface ConnectionError {
  code: ConnectionErrorCode;
  status?: number | undefined;
}

/** The connection's part of the status, relayed from the leader to every follower. */
export interface ConnectionStatus {
  phase: Exclude<Phase, 'signedOut' | 'inert'>;
  attempt: number;
  /** Wall-clock time of the next connect attempt while in backoff. */
  retryAt: number | null;
  error: ConnectionError | null;
}

/**
 * What a person would see change. The resume point is not part of it (it moves with every
 * event); `diagnostics().lastEventId` has it.
 */
export interface TabcastStatus extends Omit<ConnectionStatus, 'phase'> {
  /** The scope's streams together: the one most in need of attention sets it. */
  phase: Phase;
  role: Role;
  mode: Mode | null;
  epoch: number;
  userId: string | null;
  /** Each stream of the scope by its endpoint: one on the companion's wire, one per endpoint on the plain wire. */
  streams: Readonly<Record<string, ConnectionStatus>>;
}

export const SIGNED_OUT_STATUS: TabcastStatus = {
  phase: 'signedOut',
  role: 'none',
  mode: null,
  epoch: 0,
  attempt: 0,
  retryAt: null,
  error: null,
  userId: null,
  streams: {},
};

export const INERT_STATUS: TabcastStatus = { ...SIGNED_OUT_STATUS, phase: 'inert' };

const sameError = (a: ConnectionError | null, b: ConnectionError | null) =>
  a === b || (a !== null && b !== null && a.code === b.code && a.status === b.status);

const sameConnection = (a: ConnectionStatus | undefined, b: ConnectionStatus | undefined) =>
  a === b ||
  (a !== undefined &&
    b !== undefined &&
    a.phase === b.phase &&
    a.attempt === b.attempt &&
    a.retryAt === b.retryAt &&
    sameError(a.error, b.error));

const sameStreams = (a: TabcastStatus['streams'], b: TabcastStatus['streams']) =>
  a === b ||
  (Object.keys(a).length === Object.keys(b).length &&
    Object.keys(a).every((key) => sameConnection(a[key], b[key])));

/** Which phase of several streams a person must see first. */
const ATTENTION: ConnectionStatus['phase'][] = [
  'failed',
  'reconnecting',
  'connecting',
  'closed',
  'open',
  'idle',
];

/** The scope's streams as one: the phase, attempt and error of the one most in need of attention. */
export function combineStreams(streams: TabcastStatus['streams']): ConnectionStatus {
  const all = Object.values(streams);
  if (all.length === 0) return { phase: 'idle', attempt: 0, retryAt: null, error: null };
  const rank = (status: ConnectionStatus) => ATTENTION.indexOf(status.phase);
  const first = all.reduce((worst, status) => (rank(status) < rank(worst) ? status : worst));
  const retries = all.flatMap((status) => (status.retryAt === null ? [] : [status.retryAt]));
  return {
    phase: first.phase,
    attempt: Math.max(...all.map((status) => status.attempt)),
    retryAt: retries.length > 0 ? Math.min(...retries) : null,
    error: first.error,
  };
}

/**
 * `current` with `patch` applied, or `current` itself when nothing changes: the status object
 * is replaced only on a change, so `onStatus` and selectors see changes, not reports.
 */
export function patchStatus(current: TabcastStatus, patch: Partial<TabcastStatus>): TabcastStatus {
  const next = { ...current, ...patch };
  const changed = (Object.keys(next) as (keyof TabcastStatus)[]).some((key) => {
    if (key === 'error') return !sameError(current.error, next.error);
    if (key === 'streams') return !sameStreams(current.streams, next.streams);
    return current[key] !== next[key];
  });
  return changed ? next : current;
}
