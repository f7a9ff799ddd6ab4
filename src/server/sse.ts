import type { EventSink } from './sink';
import { CONTROL_EVENT_NAME } from './validate';

/** The control messages of the wire contract (docs/wire.md), sent as event `tabcast`. */
export type ControlMessage =
  | { type: 'server_close'; reason: 'replaced' | 'shutdown' }
  | { type: 'reset' }
  | { type: 'force_logout' };

const encoder = new TextEncoder();

/**
 * The UTF-8 length of `text`: Node's own count where there is one, and the web standard's in
 * runtimes without `Buffer` (Deno, edge workers), where `hub.fetch` runs too.
 */
export const byteLength: (text: string) => number =
  typeof Buffer === 'function'
    ? (text) => Buffer.byteLength(text)
    : (text) => encoder.encode(text).length;

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  // nginx buffers proxied responses unless told not to.
  'x-accel-buffering': 'no',
} as const;

/**
 * A heartbeat is a control event, not a comment: a native EventSource never shows comments to
 * the page, so a comment could not keep the client's stall detection quiet.
 */
export const HEARTBEAT_FRAME = `event: ${CONTROL_EVENT_NAME}\ndata: {"type":"heartbeat"}\n\n`;

export function retryFrame(retryMs: number): string {
  return `retry: ${retryMs}\n\n`;
}

/**
 * The `data` line of an application event. JSON.stringify escapes every control character, so
 * the envelope is always one line. Throws a `TypeError` for data JSON cannot represent.
 */
export function serializeEnvelope(topic: string, data: unknown): string {
  let dataJson: string | undefined;
  try {
    dataJson = JSON.stringify(data);
  } catch (error) {
    throw new TypeError(`publish: data is not JSON-serializable (${(error as Error).message})`);
  }
  // undefined, functions and symbols have no JSON form: the envelope would lose its data field.
  if (dataJson === undefined) {
    throw new TypeError(
      `publish: data must be a JSON value, got ${typeof data} (use null for none)`,
    );
  }
  return `{"topic":${JSON.stringify(topic)},"data":${dataJson}}`;
}

/** `eventName` and `envelope` are validated by the caller: neither contains CR or LF. */
export function eventFrame(id: number, eventName: string, envelope: string): string {
  return `id: ${id}\nevent: ${eventName}\ndata: ${envelope}\n\n`;
}

/** Only `reset` carries an id: it moves the client's Last-Event-ID to the newest event. */
export function controlFrame(message: ControlMessage, id?: number): string {
  const idLine = id === undefined ? '' : `id: ${id}\n`;
  return `${idLine}event: ${CONTROL_EVENT_NAME}\ndata: ${JSON.stringify(message)}\n\n`;
}

/**
 * One stream's writes, in order, honoring backpressure: once the sink says it is behind, frames
 * wait in a queue until it drains. When the bytes waiting for the client (the sink's buffer plus
 * the queue) exceed `maxBufferedBytes`, `onOverflow` is called instead of buffering further.
 */
export class EventStreamWriter {
  private readonly queue: string[] = [];
  private queuedBytes = 0;
  private waitingForDrain = false;
  private finished = false;

  constructor(
    private readonly sink: EventSink,
    private readonly maxBufferedBytes: number,
    private readonly onOverflow: () => void,
  ) {
    sink.onDrain(this.flush);
  }

  send(frame: string, bytes = byteLength(frame)): void {
    if (this.finished) return;
    if (!this.waitingForDrain) {
      this.waitingForDrain = !this.sink.write(frame);
      return;
    }
    this.queue.push(frame);
    this.queuedBytes += bytes;
    if (this.queuedBytes + this.sink.bufferedBytes > this.maxBufferedBytes) this.onOverflow();
  }

  /**
   * Ends the stream after `finalFrame`. A client still behind on earlier writes is cut instead:
   * a graceful end would wait for it, keeping its socket and buffers alive.
   */
  end(finalFrame: string): void {
    if (this.finished) return;
    if (this.waitingForDrain) {
      this.destroy();
      return;
    }
    this.release();
    this.sink.end(finalFrame);
  }

  /** Cuts the connection and frees everything still queued. */
  destroy(): void {
    if (this.finished) return;
    this.release();
    this.sink.destroy();
  }

  /** Stops writing and frees the queue; for a stream that closed on its own. Idempotent. */
  release(): void {
    this.finished = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.sink.onDrain(undefined);
  }

  private readonly flush = (): void => {
    this.waitingForDrain = false;
    if (this.queue.length === 0) return;
    const pending = this.queue.join('');
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.waitingForDrain = !this.sink.write(pending);
  };
}
