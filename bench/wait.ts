/** Bounded waiting: every loop of the benchmarks ends by itself. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `intervalMs` until it returns true; false if `timeoutMs` passed first.
 * @example await until(() => server.hub.stats().openStreams === 0, 5_000)
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 10,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Like `until`, but a timeout is an error naming what did not happen. */
export async function expectWithin(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 10,
): Promise<void> {
  if (!(await until(check, timeoutMs, intervalMs))) {
    throw new Error(`bench: ${what} did not happen within ${timeoutMs} ms`);
  }
}
