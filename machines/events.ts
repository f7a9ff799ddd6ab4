/**
 * Events that cross from one chart to another, or come from an actor. Each chart adds its own
 * to this union; keeping them in one place lets `sendBack` and `sendTo` be type-checked.
 */
import type { AnyActorRef } from 'xstate';
import type { ChannelBody, ChannelMessage } from './protocol.js';
import type { ConnectionErrorCode, ConnectionStatus, Mode, Role } from './status.js';

/** The union of every tab's topics and SSE event names: what the stream must carry. */
export interface Interest {
  topics: string[];
  events: string[];
}

/** A control event of the companion (docs/wire.md). */
export type ControlType = 'server_close' | 'reset' | 'force_logout' | 'heartbeat';

/** One SSE message as a transport read it. */
export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/** What a transport tells its connection; `at` is the wall-clock time the stream showed life. */
export type SourceEvent =
  | { type: 'source.open'; at: number }
  /** The messages that arrived in one task, in order: one event for a burst. */
  | { type: 'source.messages'; messages: SseMessage[]; at: number }
  | {
      type: 'source.control';
      control: ControlType;
      reason?: string | undefined;
      id: string | null;
      at: number;
    }
  /** Bytes or a comment arrived: the stream is alive. */
  | { type: 'source.activity'; at: number }
  /** The server's `retry:` field. */
  | { type: 'source.retryHint'; ms: number }
  | {
      type: 'source.error';
      status?: number | undefined;
      retryAfterMs?: number | undefined;
      /** What failed, where the status does not say (an event past the size bound). */
      code?: ConnectionErrorCode | undefined;
    };

export type LockEvent =
  | { type: 'lock.granted' }
  | { type: 'lock.error' }
  /** This tab holds its presence lock: peers can tell when it is gone. */
  | { type: 'presence.held' }
  /** The leader was granted a peer's presence lock: that tab closed, crashed or left. */
  | { type: 'peer.gone'; tabId: string };

/** What the leader's peer watch is told: the tabs to watch. */
export type PeerCommand = { type: 'peers.watch'; tabIds: string[] };

export type LifecycleEvent =
  | { type: 'lifecycle.online' }
  /** The page became visible or hidden (and, at the start, which it is). */
  | { type: 'lifecycle.visibility'; visible: boolean }
  | { type: 'lifecycle.pagehide' }
  | { type: 'lifecycle.pageshow' };

/** What the channel actor sends: a valid message from another tab, at wall-clock `receivedAt`. */
export type ChannelEvent = { type: 'channel.message'; message: ChannelMessage; receivedAt: number };

/** What the channel actor is told. */
export type ChannelCommand =
  /** Post this body to the other tabs. */
  | { type: 'channel.post'; body: ChannelBody }
  /** The page is going away (pagehide): say `bye` now. */
  | { type: 'channel.leave' }
  /** Whether this tab leads, for the `bye` it says on leaving. */
  | { type: 'channel.role'; leader: boolean; epoch: number }
  /**
   * A barrier: post `sync` with `token` from this tab's second channel, and tell `replyTo`
   * (`channel.synced`) once the scope's channel hears it back.
   */
  | { type: 'channel.sync'; token: string; replyTo: AnyActorRef }
  /** The barrier of `token` ended before its `sync` came back. */
  | { type: 'channel.unsync'; token: string };

/** What the scope's channel tells a barrier: its `sync` came back. */
export type ChannelSynced = { type: 'channel.synced'; token: string };

/** The barrier before a connect passed: every message posted before it has been heard. */
export type BarrierEvent = { type: 'barrier.passed'; at: number };

/** What a transport actor is told: the event names to listen to changed. */
export type TransportCommand = { type: 'transport.events'; events: string[] };

/** From the charts to the tab root, which owns delivery, the resume point and resync. */
export type TabNotice =
  /** A batch of a stream's events, in order (the leader's transport read them in one task). */
  | { type: 'delivery.events'; stream: string; events: SseMessage[] }
  /**
   * A stream opened, carrying `topics`; `gaps` are those of its topics the resume point could
   * not vouch for (all of them without an id). Sent once per open, never repeated.
   */
  | {
      type: 'stream.opened';
      stream: string;
      status: ConnectionStatus;
      epoch: number;
      topics: string[];
      gaps: string[];
      /** The resume id the connect sent, or null: without one the stream starts afresh. */
      resumedFrom: string | null;
    }
  /** The server cannot replay (`reset`): `topics` lost continuity; the resume point moves to `id`. */
  | { type: 'stream.reset'; stream: string; id: string | null; topics: string[] }
  /** A stream's status, the leader's term, and the topics the stream carries. */
  | {
      type: 'status.connection';
      stream: string;
      status: ConnectionStatus;
      epoch: number;
      topics: string[];
    }
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
  | { type: 'peer.hello' }
  /** A visible tab woke this (hidden) leader: a timer that is due may not have fired. */
  | { type: 'clock.check' };
