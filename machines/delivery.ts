/** What every tab does with an event, whoever received it: drop duplicates, then decode. */
import type { SseMessage } from './events.js';

/** How many recent events a tab remembers to drop duplicates (bounded memory). */
export const RECENT_ID_LIMIT = 512;

/**
 * The keys (`deliveryKey`) of the most recent events, at most `RECENT_ID_LIMIT`: the oldest
 * goes first. Changed in place, so looking up and adding cost O(1) per event, not a copy.
 */
export class RecentKeys {
  readonly #keys = new Set<string>();

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  add(key: string): void {
    this.#keys.add(key);
    if (this.#keys.size > RECENT_ID_LIMIT) this.#keys.delete(this.#keys.values().next().value!);
  }

  get size(): number {
    return this.#keys.size;
  }
}

export interface DeliveryLedger {
  /** The newest id delivered: where a new stream resumes. */
  lastEventId: string | null;
  /** The most recent events, to drop one delivered already. */
  recent: RecentKeys;
}

/** A ledger of nothing delivered yet (each its own: its recent keys change in place). */
export function emptyLedger(): DeliveryLedger {
  return { lastEventId: null, recent: new RecentKeys() };
}

/** An event as the ledger sees it. */
export type DeliveredEvent = SseMessage;

/** FNV-1a, 32 bits: a cheap fingerprint, enough to tell two events of one id apart. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/**
 * What makes an event a duplicate: its id, and what it says. A replay (after a failover, or a
 * sticky value sent again) repeats both; a server that numbers each connection from 1 again
 * reuses ids for new events, which must not be dropped.
 */
export function deliveryKey({ id, event, data }: DeliveredEvent): string {
  return `${id}\u0000${fingerprint(`${event}\u0000${data}`)}`;
}

const DECIMAL = /^\d+$/;

/**
 * The resume point after seeing `candidate`. Decimal ids (the companion's) only move forward:
 * a sticky value arrives with its older id and must not pull the resume point back. Other ids
 * are opaque, so the newest one wins.
 */
export function resumePoint(current: string | null, candidate: string): string {
  if (current === null || !DECIMAL.test(current) || !DECIMAL.test(candidate)) return candidate;
  const newer =
    candidate.length > current.length ||
    (candidate.length === current.length && candidate > current);
  return newer ? candidate : current;
}

/**
 * The ledger after delivering `delivered`, or null when it was delivered already. An empty id is
 * the server's reset of it (`id:` with no value): the stream resumes from nowhere. The recent keys
 * are the same object, added to.
 */
export function recordDelivery(
  ledger: DeliveryLedger,
  delivered: DeliveredEvent,
): DeliveryLedger | null {
  const { id } = delivered;
  if (id === null) return ledger;
  if (id === '') return ledger.lastEventId === null ? ledger : { ...ledger, lastEventId: null };
  const key = deliveryKey(delivered);
  if (ledger.recent.has(key)) return null;
  ledger.recent.add(key);
  const lastEventId = resumePoint(ledger.lastEventId, id);
  return lastEventId === ledger.lastEventId ? ledger : { ...ledger, lastEventId };
}

/** The ledger once the server said it resumes from `id` (a `reset`), with no event to deliver. */
export function moveResumePoint(ledger: DeliveryLedger, id: string | null): DeliveryLedger {
  if (id === null || id === '') return ledger;
  const lastEventId = resumePoint(ledger.lastEventId, id);
  return lastEventId === ledger.lastEventId ? ledger : { ...ledger, lastEventId };
}

export type DecodedEnvelope =
  | { ok: true; topic: string; data: unknown }
  | { ok: false; reason: string; cause?: unknown };

/** The companion's `{ topic, data }` envelope (docs/wire.md), or why the data is not one. */
export function decodeEnvelope(raw: string): DecodedEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    return { ok: false, reason: 'event data is not JSON', cause };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'event data is not a { topic, data } envelope' };
  }
  const envelope = parsed as { topic?: unknown; data?: unknown };
  if (typeof envelope.topic !== 'string') {
    return { ok: false, reason: 'event envelope has no topic' };
  }
  return { ok: true, topic: envelope.topic, data: envelope.data };
}
