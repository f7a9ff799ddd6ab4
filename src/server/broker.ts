/**
 * The seam between a hub and a broker that shares its events with other processes
 * (`tabcast/server/redis`). The hub keeps the streams, the replay ring and the sticky values; the
 * broker orders events across processes, carries control messages between them and counts
 * streams against caps that hold across processes.
 */
import type { HubLogger } from './types';

/** One entry of the shared sequence, as every process reads it, in id order. */
export type BrokerEntry =
  | {
      kind: 'event';
      id: number;
      topic: string;
      eventName: string;
      envelope: string;
      sticky: boolean;
    }
  /** The stream `token` was replaced by a newer stream of its client on another process. */
  | { kind: 'replaced'; id: number; token: string }
  /** `forceLogout(userKey)` on process `origin`. */
  | { kind: 'logout'; id: number; userKey: string; origin: string };

/** A sticky value as the broker keeps it. */
export interface StickyRecord {
  id: number;
  topic: string;
  eventName: string;
  envelope: string;
}

/** An open stream as the broker counts it. */
export interface Lease {
  token: string;
  userKey: string;
  /** Who may replace it: absent without a clientId. */
  replacementKey: string | undefined;
}

export interface AdmissionRequest extends Lease {
  maxStreams: number;
  maxStreamsPerUser: number;
}

export type Admission =
  /** Counted; `headId` is the newest id of the shared sequence at this moment. */
  { outcome: 'admitted'; headId: number } | { outcome: 'refused'; reason: string };

/** What the hub offers its broker. */
export interface BrokerLink {
  /** The next entry of the shared sequence (in id order; a hole is the hub's to detect). */
  ingest(entry: BrokerEntry): void;
  /**
   * The sequence goes on after `from`: the replay ring restarts there. With `reset`,
   * continuity with what this process read before cannot be proven: every open stream gets a
   * `reset` carrying `through`, and nothing up to `through` (entries the broker still holds,
   * read to fill the ring) is sent live or applied as control. Without it, streams keep what
   * they were served.
   */
  restart(from: number, through: number, reset: boolean): void;
  /** The sticky values the broker holds, replacing this process's. */
  restoreSticky(records: readonly StickyRecord[]): void;
  /** The newest id this process has read. */
  readonly headId: number;
  /** Every stream open on this process, for lease renewals. */
  leases(): Lease[];
  /** Prefixes this process's stream tokens (`<processId>:<n>`). */
  readonly processId: string;
  /** How many events the hub keeps for replay: the broker keeps at least as many. */
  readonly replayBufferSize: number;
  readonly logger: HubLogger;
}

export type BrokerState = 'ready' | 'connecting' | 'down' | 'closed';

/** How the hub's broker is doing; part of `hub.stats()`. */
export interface BrokerStats {
  kind: 'memory' | 'redis';
  /** `ready`: shared; `connecting`/`down`: serving this process's streams alone; `closed`. */
  state: BrokerState;
  /** Publishes waiting for the broker (in order). */
  pendingPublishes: number;
  /** Publishes given up (the wait was full, or the hub closed first); each rejected its promise. */
  failedPublishes: number;
  /** Times continuity was lost (entries trimmed or the broker's data gone): streams were reset. */
  restarts: number;
}

/**
 * A broker for `createHub({ broker })`. Made by `createRedisBroker()`; its methods are the hub's
 * to call. One broker serves one hub.
 */
export interface Broker {
  /** @internal */
  attach(link: BrokerLink): void;
  /** @internal Resolves with the event's id once the broker ordered it. */
  publish(topic: string, eventName: string, envelope: string, sticky: boolean): Promise<string>;
  /** @internal `undefined`: the broker is unavailable, the hub admits on its own counts. */
  admit(request: AdmissionRequest): Promise<Admission | undefined>;
  /** @internal A stream admitted (or opened while the broker was away) has ended. */
  release(lease: Lease): void;
  /** @internal Tells every other process to force this user's streams out. */
  forceLogout(userKey: string): void;
  /** @internal `restarts` is the hub's to count. */
  stats(): Omit<BrokerStats, 'restarts'>;
  /** @internal Stops reading and releases every connection; pending publishes fail. */
  close(): Promise<void>;
}
