import type { ServerResponse } from 'node:http';

/**
 * Where one stream's bytes go: a `node:http` response, or the body of a web `Response`. The
 * writer (`sse.ts`) handles ordering and backpressure the same way over either.
 */
export interface EventSink {
  /** The client is gone, or the stream was ended. */
  readonly closed: boolean;
  /** Bytes accepted but not yet taken by the client. */
  readonly bufferedBytes: number;
  /** Queues `chunk`; false once the client is behind (wait for `onDrain`). */
  write(chunk: string): boolean;
  /** Writes `chunk` and ends the stream. */
  end(chunk: string): void;
  /** Cuts the stream at once. */
  destroy(): void;
  /** `listener` runs when a sink that said "behind" can take more. Replaces any earlier one. */
  onDrain(listener: (() => void) | undefined): void;
  /** `listener` runs once, when the client leaves or the stream is ended. */
  onClose(listener: () => void): void;
}

/** A `node:http` response whose 200 and headers were sent. */
export class NodeEventSink implements EventSink {
  private drainListener: (() => void) | undefined;

  constructor(private readonly res: ServerResponse) {}

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  write(chunk: string): boolean {
    return this.res.write(chunk);
  }

  end(chunk: string): void {
    this.res.end(chunk);
  }

  destroy(): void {
    this.res.destroy();
  }

  onDrain(listener: (() => void) | undefined): void {
    if (this.drainListener !== undefined) this.res.off('drain', this.drainListener);
    this.drainListener = listener;
    if (listener !== undefined) this.res.on('drain', listener);
  }

  onClose(listener: () => void): void {
    this.res.once('close', listener);
  }
}

/**
 * The body of a web `Response`: a byte stream whose queue is the buffer. The runtime pulls as the
 * client reads; `request.signal` aborting or the runtime cancelling the body closes it.
 */
export class WebEventSink implements EventSink {
  readonly body: ReadableStream<Uint8Array>;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private readonly encoder = new TextEncoder();
  private drainListener: (() => void) | undefined;
  private readonly closeListeners: (() => void)[] = [];
  private isClosed = false;

  constructor(
    signal: AbortSignal,
    private readonly highWaterMark: number,
  ) {
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.drainListener?.(),
        cancel: () => this.markClosed(),
      },
      new ByteLengthQueuingStrategy({ highWaterMark }),
    );
    if (signal.aborted) this.markClosed();
    else signal.addEventListener('abort', () => this.markClosed(), { once: true });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get bufferedBytes(): number {
    return this.highWaterMark - (this.controller?.desiredSize ?? 0);
  }

  write(chunk: string): boolean {
    if (this.isClosed) return false;
    this.controller?.enqueue(this.encoder.encode(chunk));
    return (this.controller?.desiredSize ?? 0) > 0;
  }

  end(chunk: string): void {
    if (this.isClosed) return;
    this.controller?.enqueue(this.encoder.encode(chunk));
    this.controller?.close();
    this.markClosed();
  }

  destroy(): void {
    if (this.isClosed) return;
    this.controller?.error(new Error('tabcast: stream cut'));
    this.markClosed();
  }

  onDrain(listener: (() => void) | undefined): void {
    this.drainListener = listener;
  }

  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.push(listener);
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.drainListener = undefined;
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
