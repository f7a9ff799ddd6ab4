/** The fields of one Server-Sent-Events frame. */
export interface SseFrame {
  id?: string | number;
  event?: string;
  /** Split into one `data:` line per line. Leave it out for a frame without data (`retry:`). */
  data?: string;
  /** The reconnect hint in milliseconds. */
  retry?: number;
}

/**
 * The wire text of one SSE frame, ready for `FakeFetchCall.write()`.
 *
 * @example
 * sseFrame({ id: 42, event: 'status-changed', data: '{"topic":"t","data":1}' });
 * // 'id: 42\nevent: status-changed\ndata: {"topic":"t","data":1}\n\n'
 */
export function sseFrame(frame: SseFrame): string {
  let text = '';
  if (frame.id !== undefined) text += `id: ${frame.id}\n`;
  if (frame.event !== undefined) text += `event: ${frame.event}\n`;
  if (frame.retry !== undefined) text += `retry: ${frame.retry}\n`;
  if (frame.data !== undefined) {
    for (const line of frame.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  }
  return `${text}\n`;
}

/** The `data` of an application event as `tabcast/server` sends it (see docs/wire.md). */
export function envelopeData(topic: string, payload: unknown): string {
  return JSON.stringify({ topic, data: payload });
}
