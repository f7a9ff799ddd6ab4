/**
 * The channel protocol: what tabs of one scope say to each other over their BroadcastChannel.
 * Versioned, scoped and validated: anything that fails validation is dropped and counted,
 * never thrown, so a foreign page posting garbage on the channel changes nothing.
 */
import type { ConnectionStatus } from './status.js';

export const PROTOCOL_VERSION = 1;

/** Longest endpoint on the plain wire, in characters (a channel message names it). */
export const MAX_ENDPOINT_LENGTH = 16_384;

/** The BroadcastChannel of a scope: every tab of it talks there, and nowhere else. */
export function channelNameOf(scope: string): string {
  return `tabcast:${scope}`;
}

/**
 * What a tab says, before the envelope (`v`, `scope`, `from`) is added. A leader's messages about
 * a stream name it by `stream`: the endpoint it connects to (a scope may hold several).
 */
export type ChannelBody =
  /** A tab joins: every tab answers with its topics, the leader with its state. */
  | { type: 'hello' }
  /** The leader's connection status, and the topics its last open stream carries. */
  | {
      type: 'state';
      stream: string;
      epoch: number;
      status: ConnectionStatus;
      topics: string[];
      /** When the leader's next timer for this stream is due: a visible follower wakes it then. */
      wakeAt: number | null;
    }
  /** A stream opened (once per open): `gaps` are its topics the resume point cannot vouch for. */
  | {
      type: 'opened';
      stream: string;
      epoch: number;
      status: ConnectionStatus;
      topics: string[];
      gaps: string[];
      /**
       * The resume id the connect sent, or null: without one the stream starts afresh. A tab
       * that delivered up to another id cannot take the leader's word for the gaps.
       */
      resumedFrom: string | null;
    }
  /** Relayed SSE events, a batch in one message; `data` is the raw string, decoded in every tab. */
  | {
      type: 'events';
      stream: string;
      epoch: number;
      events: { id: string | null; event: string; data: string }[];
    }
  /** The server cannot replay (`reset`): `topics` lost continuity; resume from `id` on. */
  | { type: 'reset'; stream: string; epoch: number; id: string | null; topics: string[] }
  /**
   * A tab's full topic set and event names, sent when they change and in answer to hello, with
   * the newest term it has heard: a tab that opens while nobody leads learns the term from it.
   */
  | { type: 'topics'; topics: string[]; events: string[]; knownEpoch: number }
  /** A tab leaves; `leader` when it held the stream (followers take over at once). */
  | { type: 'bye'; leader: boolean; epoch: number }
  /** The leader learnt that tab `tabId` is gone without a `bye` (it crashed): forget it. */
  | { type: 'gone'; tabId: string }
  /** A tab signed out: every tab of the scope signs out. */
  | { type: 'logout' }
  /** The fallback leader is alive (also carries its term). */
  | { type: 'heartbeat'; epoch: number }
  /** A fallback candidate asks for the term `epoch`. */
  | { type: 'claim'; epoch: number }
  /** A follower asks the leader to reconnect now. */
  | { type: 'retry' }
  /** A visible follower wakes the (hidden, throttled) leader at a deadline it reported. */
  | { type: 'wake' }
  /**
   * A tab's barrier before it connects: once its own `sync` comes back, every message posted
   * before it (a logout among them) has been heard. Every other tab ignores it.
   */
  | { type: 'sync'; token: string };

export type ChannelMessage = ChannelBody & {
  v: typeof PROTOCOL_VERSION;
  scope: string;
  from: string;
};

export type ChannelMessageType = ChannelBody['type'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isEpoch = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length <= 1024 && value.every((item) => typeof item === 'string');
const isNullableString = (value: unknown): value is string | null =>
  value === null || typeof value === 'string';
/** The most events one relay may carry (a burst read in one task; more is not ours). */
const MAX_BATCH = 100_000;
const isStream = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_ENDPOINT_LENGTH;
const PHASES = new Set(['idle', 'connecting', 'open', 'reconnecting', 'failed', 'closed']);

function isConnectionStatus(value: unknown): value is ConnectionStatus {
  return (
    isRecord(value) &&
    typeof value.phase === 'string' &&
    PHASES.has(value.phase) &&
    typeof value.attempt === 'number' &&
    (value.retryAt === null || typeof value.retryAt === 'number') &&
    (value.error === null || (isRecord(value.error) && typeof value.error.code === 'string'))
  );
}

const bodyValidators: Record<ChannelMessageType, (message: Record<string, unknown>) => boolean> = {
  hello: () => true,
  state: (m) =>
    isStream(m.stream) &&
    isEpoch(m.epoch) &&
    isConnectionStatus(m.status) &&
    isStringArray(m.topics) &&
    (m.wakeAt === null || (typeof m.wakeAt === 'number' && Number.isFinite(m.wakeAt))),
  opened: (m) =>
    isStream(m.stream) &&
    isEpoch(m.epoch) &&
    isConnectionStatus(m.status) &&
    isStringArray(m.topics) &&
    isStringArray(m.gaps) &&
    isNullableString(m.resumedFrom),
  events: (m) =>
    isStream(m.stream) &&
    isEpoch(m.epoch) &&
    Array.isArray(m.events) &&
    m.events.length > 0 &&
    m.events.length <= MAX_BATCH &&
    m.events.every(
      (item) =>
        isRecord(item) &&
        isNullableString(item.id) &&
        typeof item.event === 'string' &&
        typeof item.data === 'string',
    ),
  reset: (m) =>
    isStream(m.stream) && isEpoch(m.epoch) && isNullableString(m.id) && isStringArray(m.topics),
  topics: (m) => isStringArray(m.topics) && isStringArray(m.events) && isEpoch(m.knownEpoch),
  bye: (m) => typeof m.leader === 'boolean' && isEpoch(m.epoch),
  gone: (m) => typeof m.tabId === 'string' && m.tabId.length > 0,
  logout: () => true,
  heartbeat: (m) => isEpoch(m.epoch),
  claim: (m) => isEpoch(m.epoch),
  retry: () => true,
  wake: () => true,
  sync: (m) => typeof m.token === 'string',
};

/**
 * The message, if it is a valid message of this scope from another tab; otherwise null.
 * Wrong version, wrong scope, unknown type or a malformed field all give null.
 */
export function readChannelMessage(raw: unknown, scope: string): ChannelMessage | null {
  if (!isRecord(raw) || raw.v !== PROTOCOL_VERSION || raw.scope !== scope) return null;
  if (typeof raw.from !== 'string' || raw.from.length === 0) return null;
  const validate = bodyValidators[raw.type as ChannelMessageType];
  if (typeof raw.type !== 'string' || !Object.hasOwn(bodyValidators, raw.type) || !validate) {
    return null;
  }
  return validate(raw) ? (raw as ChannelMessage) : null;
}
