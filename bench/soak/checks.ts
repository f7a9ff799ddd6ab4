/**
 * The soak's detectors, pure so each can be shown to fail on a made-up record
 * (`test/unit/soak-checks.test.ts`) as well as on a fault injected in real tabs (`--self-check`).
 */
import type { ConnectAttempt } from '../../test/browser/support/test-server.js';

/** One delivery of the soak's topic in a tab: the published `{ n }` and when (page clock). */
export interface Delivery {
  n: number;
  at: number;
}

export interface DeliveryWindow {
  /** Every delivery of the topic in the tab, in the order its subscriber got them. */
  deliveries: readonly Delivery[];
  /** When the tab's subscription of the topic was told to resync (page clock). */
  resyncs: readonly number[];
  /** The first and the last `n` this check is about, both included. */
  from: number;
  to: number;
}

/** Consecutive numbers (sorted) together: `[1, 2, 3, 7]` → `[[1, 2, 3], [7]]`. */
function runsOf(numbers: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const n of numbers) {
    const run = runs.at(-1);
    if (run && run.at(-1) === n - 1) run.push(n);
    else runs.push([n]);
  }
  return runs;
}

/** `41, 42, 43, 47` → `41–43, 47`, so a long gap reads as one line. */
const spans = (numbers: readonly number[]) =>
  runsOf(numbers)
    .map((run) => (run.length === 1 ? `${run[0]}` : `${run[0]}–${run.at(-1)}`))
    .join(', ');

/**
 * How the deliveries of `from … to` break "every event once, in order": an `n` delivered twice, an
 * `n` delivered after a later one, and a run of `n`s never delivered — unless the subscription
 * was told to resync between the deliveries on either side of it (before the next one, for a run
 * at the start; after the last one, for a run at the end), the one thing that excuses a gap.
 */
export function deliveryViolations({ deliveries, resyncs, from, to }: DeliveryWindow): string[] {
  const inWindow = (n: number) => n >= from && n <= to;
  const times = new Map<number, number>();
  const outOfOrder: number[] = [];
  let latest = Number.NEGATIVE_INFINITY;
  for (const { n } of deliveries) {
    const seen = times.get(n) ?? 0;
    times.set(n, seen + 1);
    if (seen === 0 && n < latest && inWindow(n)) outOfOrder.push(n);
    latest = Math.max(latest, n);
  }
  const violations: string[] = [];
  const twice = [...times].filter(([n, count]) => count > 1 && inWindow(n)).map(([n]) => n);
  if (twice.length > 0)
    violations.push(`delivered more than once: ${spans(twice.sort((a, b) => a - b))}`);
  if (outOfOrder.length > 0) violations.push(`delivered out of order: ${spans(outOfOrder)}`);

  const missing: number[] = [];
  for (let n = from; n <= to; n++) if (!times.has(n)) missing.push(n);
  for (const run of runsOf(missing)) {
    const first = run[0]!;
    const last = run.at(-1)!;
    const before = deliveries.filter((delivery) => delivery.n < first).at(-1);
    const after = deliveries.find((delivery) => delivery.n > last);
    const since = before?.at ?? Number.NEGATIVE_INFINITY;
    const until = after?.at ?? Number.POSITIVE_INFINITY;
    if (resyncs.some((at) => at >= since && at <= until)) continue;
    violations.push(
      `never delivered: ${spans(run)} (no resync between ${before ? `the delivery of ${before.n}` : 'its start'} and ${after ? `that of ${after.n}` : 'its end'})`,
    );
  }
  return violations;
}

/**
 * How long after a logout was posted a connect request may still reach the server. The barrier
 * (issue 13) lets a tab connect only once its own `sync` came back over the channel, and a tab
 * whose `sync` went out before the logout cannot have heard it yet: its connect is legitimate,
 * and it arrives at most one round trip after the logout — the `sync` back through the browser,
 * then the request through the network stack into this process's event loop, which stamps it.
 * On this 2-core machine, beside other work, that round trip has been seen near 20 ms; 50 ms is
 * the slack: a connect later than that was decided after the logout could have been heard.
 */
export const LOGOUT_CONNECT_SLACK_MS = 50;

/** The connect requests that reached the server too late after `logoutAt` (same wall clock). */
export function lateConnects(
  attempts: readonly ConnectAttempt[],
  logoutAt: number,
  slackMs = LOGOUT_CONNECT_SLACK_MS,
): ConnectAttempt[] {
  return attempts.filter((attempt) => attempt.at > logoutAt + slackMs);
}
