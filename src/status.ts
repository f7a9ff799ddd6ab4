/** What every tab exposes; followers learn the connection part from the leader. */
export type Phase = 'signedOut' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed';
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
  phase: Exclude<Phase, 'signedOut'>;
  attempt: number;
  /** Wall-clock time of the next connect attempt while in backoff. */
  retryAt: number | null;
  error: ConnectionError | null;
}

export interface TabcastStatus extends Omit<ConnectionStatus, 'phase'> {
  phase: Phase;
  role: Role;
  mode: Mode | null;
  epoch: number;
  lastEventId: string | null;
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
  lastEventId: null,
  userId: null,
};
