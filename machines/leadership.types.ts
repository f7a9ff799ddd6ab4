/**
 * The leadership chart's types: what it is given, what it keeps, what it hears, and what it asks
 * of its lock actors.
 */
import type { ChannelEvent, Interest, LifecycleEvent, LockEvent, SharedEvent } from './events.js';
import type { Mode } from './status.js';
import type { ConnectionSettings } from './streams.machine.js';

/** A peer's presence lock came to this leader: that tab is gone. */
export type PeerGone = Extract<LockEvent, { type: 'peer.gone' }>;

/** What a lock actor is asked to hold: the scope's leadership lock, or this tab's presence. */
export interface LockInput {
  /** The scope's lock: `tabcast:<scope>`. */
  lockName: string;
  purpose: 'leadership' | 'presence';
  tabId: string;
}

/** The leader's watch over the other tabs' presence locks. */
export interface PeerWatchInput {
  lockName: string;
  /** The tabs known when the watch starts; `peers.watch` replaces the list. */
  tabIds: string[];
}

export interface LeadershipTiming {
  /** How often a fallback leader says it is alive. */
  heartbeatIntervalMs: number;
  /** A fallback follower that heard nothing from the leader this long campaigns. */
  leaderTimeoutMs: number;
  /** How often a fallback follower looks at the wall clock. */
  watchdogIntervalMs: number;
  /** How long a fallback candidate waits for a better claim or a living leader. */
  electionWindowMs: number;
}

export interface LeadershipInput {
  tabId: string;
  mode: Mode;
  /** The scope: its channel and its Web Lock are named after it. */
  scope: string;
  interest: Interest;
  connection: ConnectionSettings;
  timing?: LeadershipTiming;
}

export interface LeadershipContext {
  tabId: string;
  mode: Mode;
  scope: string;
  /** The scope's Web Lock, named like its channel. */
  lockName: string;
  /** The newest term this tab knows of: its own while leading. */
  epoch: number;
  /** The term this tab asked for in its last fallback claim. */
  claim: number;
  /** Wall-clock time the leader was last heard from (fallback watchdog). */
  lastHeardAt: number;
  /** The tab the newest leader message came from: gone once this tab is granted the lock. */
  leaderId: string | null;
  /** Whether this tab's page is visible: its timers run on time. */
  visible: boolean;
  /** When the leader's next timer is due, by stream, as its status said: a follower wakes it. */
  leaderDeadlines: Record<string, number>;
  /** The deadline the wake alarm is set for. */
  alarmAt: number | null;
  /** This tab's topics and event names. */
  interest: Interest;
  /** Every other tab's, by tab id. */
  peers: Record<string, Interest>;
  /** Fallback leader: heartbeats since its last roll call. */
  beats: number;
  /** Fallback leader: tabs that have not answered its last roll call (a crash says no bye). */
  unanswered: string[];
  connection: ConnectionSettings;
  timing: LeadershipTiming;
}

export type LeadershipEvent = LockEvent | LifecycleEvent | SharedEvent | ChannelEvent;
