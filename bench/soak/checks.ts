/**
 * The soak's detectors, pure so each can be shown to fail on a made-up record
 * (`test/unit/soak-checks.test.ts`) as well as on a fault injected in real tabs (`--self-check`).
 */
import type { RecordedConnect } from '../../test/browser/support/page-api.js';
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
  /** The deliveries from this index on are checked for repeats and order. @default 0 */
  since?: number;
  /** The first and the last `n` that must have been delivered, both included. */
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
 * How a tab's deliveries break "every event once, in order": a delivery (from `since` on) of an
 * `n` delivered before, or of an `n` older than one delivered before, and a run of `from … to`
 * never delivered — unless the subscription was told to resync between the deliveries on either
 * side of it (before the next one, for a run at the start; after the last one, for a run at the
 * end), the one thing that excuses a gap. A check trial after trial moves `since` and `from` on,
 * so each delivery and each `n` is judged once.
 */
export function deliveryViolations({
  deliveries,
  resyncs,
  since = 0,
  from,
  to,
}: DeliveryWindow): string[] {
  const delivered = new Set<number>();
  const repeated = new Set<number>();
  const outOfOrder: number[] = [];
  let firstOutOfOrder = -1;
  let latest = Number.NEGATIVE_INFINITY;
  for (const [index, { n }] of deliveries.entries()) {
    if (index >= since && delivered.has(n)) repeated.add(n);
    else if (index >= since && n < latest) {
      outOfOrder.push(n);
      if (firstOutOfOrder < 0) firstOutOfOrder = index;
    }
    delivered.add(n);
    latest = Math.max(latest, n);
  }
  const violations: string[] = [];
  if (repeated.size > 0) {
    violations.push(`delivered more than once: ${spans([...repeated].sort((a, b) => a - b))}`);
  }
  if (outOfOrder.length > 0) {
    const around = deliveries.slice(Math.max(0, firstOutOfOrder - 4), firstOutOfOrder + 3);
    violations.push(
      `delivered out of order: ${spans(outOfOrder)} (in the order ${around.map(({ n }) => n).join(', ')})`,
    );
  }

  const missing: number[] = [];
  for (let n = from; n <= to; n++) if (!delivered.has(n)) missing.push(n);
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
 * How long after a logout a connect request no tab accounts for may still reach the server: one
 * round trip on this machine (the logout's way to the tabs, then a request's way here), idle
 * about 2–20 ms; 50 ms with room. The requests tabs do account for need no such allowance (see
 * `lateConnects`): this process stamps the log on an event loop that, on two cores beside other
 * jobs, has lagged 200–700 ms, so the time a request took to be logged says little of when its
 * tab decided to send it.
 */
export const ROUND_TRIP_MS = 50;

const startedSignedOut = (connect: RecordedConnect) => connect.phase === 'signedOut';

/** The requests a tab started to the stream endpoint after it had signed out: none may be. */
export function connectsAfterSignOut(started: readonly RecordedConnect[]): RecordedConnect[] {
  return started.filter(startedSignedOut);
}

export interface ConnectLog {
  /** When the page called `logout()` (its wall clock, the same as this process's). */
  calledAt: number;
  /** The server's log of the connect requests of the trial's own user, in arrival order. */
  attempts: readonly ConnectAttempt[];
  /** The requests the remaining tabs recorded starting since the trial began. */
  started: readonly RecordedConnect[];
}

const clientIdOf = (url: string) => new URL(url, 'http://page').searchParams.get('clientId');

/**
 * The connect requests the server logged that no round trip explains. The barrier (issue 13) lets
 * a tab connect only once its own `sync` came back over the channel: a tab whose `sync` went out
 * before the logout has not heard it yet and may connect, and its request may reach the server
 * any time later. So a logged request is accounted for by a request its tab (the same client id)
 * started while still signed in — one such start for one logged request, in order. One that is
 * not (the browser reconnecting an EventSource by itself, a tab that vanished, a request made
 * outside tabcast) is late when it arrived more than `ROUND_TRIP_MS` after the logout call.
 * (A tab that connects within the round trip because it never waited for the logout — the race
 * issue 13 fixed — looks the same from outside; `test/unit/logout-race.test.ts` pins that one.)
 */
export function lateConnects({ calledAt, attempts, started }: ConnectLog): ConnectAttempt[] {
  const unused = new Map<string | null, number>();
  for (const connect of started) {
    if (startedSignedOut(connect)) continue;
    const clientId = clientIdOf(connect.url);
    unused.set(clientId, (unused.get(clientId) ?? 0) + 1);
  }
  return attempts.filter((attempt) => {
    const left = unused.get(attempt.clientId) ?? 0;
    if (left > 0) {
      unused.set(attempt.clientId, left - 1);
      return false;
    }
    return attempt.at > calledAt + ROUND_TRIP_MS;
  });
}
