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
  | 'invalid_topics'
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
  phase: Phase;
  role: Role;
  mode: Mode | null;
  epoch: number;
  userId: string | null;
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
};

export const INERT_STATUS: TabcastStatus = { ...SIGNED_OUT_STATUS, phase: 'inert' };

const sameError = (a: ConnectionError | null, b: ConnectionError | null) =>
  a === b || (a !== null && b !== null && a.code === b.code && a.status === b.status);

/**
 * `current` with `patch` applied, or `current` itself when nothing changes: the status object
 * is replaced only on a change, so `onStatus` and selectors see changes, not reports.
 */
export function patchStatus(current: TabcastStatus, patch: Partial<TabcastStatus>): TabcastStatus {
  const next = { ...current, ...patch };
  const changed = (Object.keys(next) as (keyof TabcastStatus)[]).some((key) =>
    key === 'error' ? !sameError(current.error, next.error) : current[key] !== next[key],
  );
  return changed ? next : current;
}
