/** One block of an SSE stream (the text between blank lines), fields as received. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comments: string[];
}

/** Rejects with a message naming `what` when `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `condition` on every turn of the event loop until it holds. */
export function waitUntil(condition: () => boolean, ms: number, what: string): Promise<void> {
  const poll = async () => {
    while (!condition()) await new Promise((resolve) => setImmediate(resolve));
  };
  return withTimeout(poll(), ms, what);
}

export function parseFrame(block: string): SseFrame {
  const frame: SseFrame = { comments: [] };
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      frame.comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
    else if (field === 'id' || field === 'event' || field === 'retry') frame[field] = value;
  }
  return frame;
}

/** Reads an SSE response body frame by frame; `next()` waits for the next one. */
export class SseReader {
  private buffer = '';
  private readonly frames: SseFrame[] = [];
  private waiter: (() => void) | undefined;
  private done = false;
  private failure: unknown;

  constructor(body: ReadableStream<Uint8Array>) {
    void this.pump(body);
  }

  /** Whether the server ended the stream (every frame before the end is still readable). */
  get ended(): boolean {
    return this.done && this.frames.length === 0;
  }

  async next(timeoutMs = 2000): Promise<SseFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.frames.shift();
      if (frame !== undefined) return frame;
      if (this.done) {
        throw new Error(
          `the stream ended without another frame (${String(this.failure ?? 'eof')})`,
        );
      }
      await withTimeout(this.arrival(), Math.max(0, deadline - Date.now()), 'an SSE frame');
    }
  }

  /** The next frame that is not a heartbeat comment. */
  async nextEvent(timeoutMs = 2000): Promise<SseFrame> {
    for (;;) {
      const frame = await this.next(timeoutMs);
      if (frame.comments.length === 0 || frame.data !== undefined) return frame;
    }
  }

  /** Resolves when the server has ended the stream (unread frames stay readable). */
  async end(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.done) {
      await withTimeout(this.arrival(), Math.max(0, deadline - Date.now()), 'the stream end');
    }
  }

  private arrival(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    const reader = body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        let boundary = this.buffer.indexOf('\n\n');
        while (boundary !== -1) {
          this.frames.push(parseFrame(this.buffer.slice(0, boundary)));
          this.buffer = this.buffer.slice(boundary + 2);
          boundary = this.buffer.indexOf('\n\n');
        }
        this.wake();
      }
    } catch (error) {
      this.failure = error;
    }
    this.done = true;
    this.wake();
  }
}
