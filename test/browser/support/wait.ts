/** Polling with a deadline: the browser suite never sleeps a fixed time to wait for a state. */

export interface WaitOptions {
  /** Give up after this many ms. @default 15000 */
  timeout?: number;
  /** Poll every this many ms. @default 50 */
  interval?: number;
}

/**
 * Polls `probe` until `accept` holds for its value, and returns that value. On timeout it throws
 * with `what` and the last value seen, so a failure says what the state was.
 * @example await waitUntil('one stream', () => server.hub.stats(), (s) => s.openStreams === 1);
 */
export async function waitUntil<T>(
  what: string,
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean,
  { timeout = 15_000, interval = 50 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = lastError === undefined ? JSON.stringify(last) : String(lastError);
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last seen: ${seen}`);
    }
    await sleep(interval);
  }
}

/** A fixed wait, only where the point is that nothing happens for a while. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
