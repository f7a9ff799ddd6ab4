import type { Wire } from '../../machines/connection.machine.js';
import type { ControlType, SourceEvent } from '../machine-events.js';
import { CONTROL_EVENT } from '../names.js';

export type { SourceEvent };

const CONTROL_TYPES = new Set<ControlType>(['server_close', 'reset', 'force_logout', 'heartbeat']);

/**
 * What one SSE message means: an application event, or (on the companion's wire) one of its
 * control events (docs/wire.md). A control event with an unknown or malformed body is a sign of
 * life, nothing more, so a newer server never breaks an older client. On the plain wire every
 * message is the application's.
 */
export function readSseMessage(
  wire: Wire,
  event: string,
  data: string,
  id: string | null,
): SourceEvent {
  if (wire === 'plain' || event !== CONTROL_EVENT) {
    return { type: 'source.message', id, event, data };
  }
  const body = parseJsonObject(data) as { type?: unknown; reason?: unknown } | null;
  if (!body || !CONTROL_TYPES.has(body.type as ControlType)) return { type: 'source.activity' };
  const reason = typeof body.reason === 'string' ? body.reason : undefined;
  return { type: 'source.control', control: body.type as ControlType, reason, id };
}

/** Whether the response is an SSE stream: `text/event-stream`, parameters aside, any case. */
export function isEventStream(response: {
  headers: { get(name: string): string | null };
}): boolean {
  const type = response.headers.get('content-type') ?? '';
  return type.split(';')[0]!.trim().toLowerCase() === 'text/event-stream';
}

/** Whether the response names no charset, or UTF-8 (the only one SSE has). */
export function isUtf8(response: { headers: { get(name: string): string | null } }): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(
    response.headers.get('content-type') ?? '',
  );
  return !charset || charset[1]!.toLowerCase() === 'utf-8';
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(
  header: string | null | undefined,
  now: number,
): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseJsonObject(data: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
