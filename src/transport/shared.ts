import type { Wire } from '../../machines/connection.types.js';
import type { ControlType, SourceEvent, SseMessage } from '../../machines/events.js';
import { CONTROL_EVENT } from '../names.js';

export type { SourceEvent };

const CONTROL_TYPES = new Set<ControlType>(['server_close', 'reset', 'force_logout', 'heartbeat']);

/** What one SSE message means. */
export type ReadMessage =
  | { kind: 'message'; message: SseMessage }
  | { kind: 'control'; control: ControlType; reason: string | undefined; id: string | null }
  | { kind: 'life' };

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
): ReadMessage {
  if (wire === 'plain' || event !== CONTROL_EVENT) {
    return { kind: 'message', message: { id, event, data } };
  }
  // Any JSON value but null reads as a record here: a number or a string has no `type` either.
  const body = parseJson(data) as { type?: unknown; reason?: unknown } | null;
  if (!body || !CONTROL_TYPES.has(body.type as ControlType)) return { kind: 'life' };
  const reason = typeof body.reason === 'string' ? body.reason : undefined;
  return { kind: 'control', control: body.type as ControlType, reason, id };
}

/**
 * Sends a transport's messages to its connection in batches: the messages read in one task go
 * as one `source.messages`, so a burst costs the charts and the channel one step, not one per
 * event. With `queueTask` (native EventSource hands its messages one by one) the first message
 * of a task goes at once and the rest of that task's on a task of its own; without it the
 * transport `flush()`es after each chunk it parsed. Any other event goes after the messages read
 * before it, in order.
 */
export function messageBatcher(
  sendBack: (event: SourceEvent) => void,
  now: () => number,
  queueTask?: (run: () => void) => void,
) {
  let pending: SseMessage[] = [];
  let queued = false;
  let closed = false;
  const flush = () => {
    queued = false;
    if (closed || pending.length === 0) return;
    const messages = pending;
    pending = [];
    sendBack({ type: 'source.messages', messages, at: now() });
  };
  const send = (event: SourceEvent) => {
    flush();
    if (!closed) sendBack(event);
  };
  return {
    read(read: ReadMessage) {
      if (read.kind !== 'message') {
        const at = now();
        send(
          read.kind === 'life'
            ? { type: 'source.activity', at }
            : {
                type: 'source.control',
                control: read.control,
                reason: read.reason,
                id: read.id,
                at,
              },
        );
        return;
      }
      pending.push(read.message);
      if (!queueTask || queued) return;
      // The first message of a task goes at once (no wait for a lone event); those that follow
      // in the same task gather until it ends.
      flush();
      queued = true;
      queueTask(flush);
    },
    /** The stream is alive (bytes arrived). */
    alive: () => send({ type: 'source.activity', at: now() }),
    send,
    flush,
    /** The attempt is over: nothing more is sent. */
    close() {
      closed = true;
      pending = [];
    },
  };
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

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

export type MessageBatcher = ReturnType<typeof messageBatcher>;
