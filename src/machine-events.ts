/**
 * Events that cross from one chart to another, or come from an actor. Each chart adds its own
 * to this union; keeping them in one place lets `sendBack` and `sendTo` be type-checked.
 */
import type { ChannelBody, ChannelMessage } from './protocol.js';
import type { ConnectionStatus, Mode, Role } from './status.js';

/** The union of every tab's topics and SSE event names: what the stream must carry. */
export interface Interest {
  topics: string[];
  events: string[];
}

/** A control event of the companion (docs/wire.md). */
export type ControlType = 'server_close' | 'reset' | 'force_logout' | 'heartbeat';

export type SourceEvent =
  | { type: 'source.open' }
  | { type: 'source.message'; id: string | null; event: string; data: string }
  | { type: 'source.control'; control: ControlType; reason?: string; id: string | null }
  /** Bytes or a comment arrived: the stream is alive. */
  | { type: 'source.activity' }
  /** The server's `retry:` field. */
  | { type: 'source.retryHint'; ms: number }
  | { type: 'source.error'; status?: number | undefined; retryAfterMs?: number | undefined };

export type LockEvent = { type: 'lock.granted' } | { type: 'lock.error' };

export type LifecycleEvent =
  | { type: 'lifecycle.online' }
  | { type: 'lifecycle.offline' }
  | { type: 'lifecycle.pagehide' }
  | { type: 'lifecycle.pageshow' };

export type ChannelEvent =
  /** A valid message from another tab; `receivedAt` is the platform's wall-clock time. */
  | { type: 'channel.message'; message: ChannelMessage; receivedAt: number }
  /** To the channel actor: post this body to the other tabs. */
  | { type: 'channel.post'; body: ChannelBody }
  /** To the channel actor: the page is going away (pagehide): say `bye` now. */
  | { type: 'channel.leave' }
  /** To the channel actor: whether this tab leads, for the `bye` it says on leaving. */
  | { type: 'channel.role'; leader: boolean; epoch: number };

/** From the charts to the tab root, which owns delivery and the status snapshot. */
export type TabNotice =
  | { type: 'delivery.event'; id: string | null; event: string; data: string }
  | { type: 'delivery.resync'; topics: string[] }
  /** The leader's connection status, its term, and the topics its open stream carries. */
  | { type: 'status.connection'; status: ConnectionStatus; epoch: number; topics: string[] }
  | { type: 'status.role'; role: Role; mode: Mode; epoch: number }
  | { type: 'status.session'; userId: string | null };

export type SharedEvent =
  | { type: 'interest.changed'; interest: Interest }
  | { type: 'connection.retry' }
  /** The stream answered 401. */
  | { type: 'auth.expired' }
  | { type: 'auth.refreshed' }
  /** The stream opened: the credentials are good. */
  | { type: 'auth.confirmed' }
  | { type: 'server.forceLogout' }
  /** To leadership: the session is signing out; stop the stream, keep the lock a moment. */
  | { type: 'session.ending' }
  | { type: 'peer.hello' };
