/** What every tab does with an event, whoever received it: drop duplicates, then decode. */

/** How many recent ids a tab remembers to drop duplicates (bounded memory). */
export const RECENT_ID_LIMIT = 512;

export interface DeliveryLedger {
  /** The newest id delivered: where a new stream resumes. */
  lastEventId: string | null;
  /** The most recent ids, oldest first, at most `RECENT_ID_LIMIT`. */
  recentIds: string[];
}

export const EMPTY_LEDGER: DeliveryLedger = { lastEventId: null, recentIds: [] };

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
 * The ledger after delivering `id`, or null when `id` was delivered already. An empty id is the
 * server's reset of it (`id:` with no value): the stream resumes from nowhere.
 */
export function recordDelivery(ledger: DeliveryLedger, id: string | null): DeliveryLedger | null {
  if (id === null) return ledger;
  if (id === '') return ledger.lastEventId === null ? ledger : { ...ledger, lastEventId: null };
  if (ledger.recentIds.includes(id)) return null;
  const recentIds = [...ledger.recentIds, id];
  if (recentIds.length > RECENT_ID_LIMIT) recentIds.shift();
  return { lastEventId: resumePoint(ledger.lastEventId, id), recentIds };
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
