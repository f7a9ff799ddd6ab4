/**
 * (b) The leader goes — closed, or its renderer crashed — while the server publishes 50 events a
 * second, and a new tab takes its place: every tab delivers every event published in its
 * lifetime once, in order (only a resync of the topic excuses a gap), and the tabs settle on one
 * stream and one leader again.
 *
 * A lane is one long session: its tabs stay signed in as one user, and each trial ends one
 * leader's life. The server publishes during each failover, from before the leader goes until
 * every tab caught up (the numbers go on from trial to trial), and each tab's deliveries are checked
 * trial by trial, from the first event published after it was loaded (as this process saw it
 * ready) to the last one published once the new leader streamed (for the tab that goes: to the
 * last one it delivered before).
 */
import type { Tab } from '../../../test/browser/support/browser.js';
import {
  expectOneStream,
  type Publisher,
  startPublishing,
} from '../../../test/browser/support/suite.js';
import { sleep } from '../../../test/browser/support/wait.js';
import { type Delivery, deliveryViolations } from '../checks.js';
import {
  between,
  deliveriesOf,
  type Lane,
  LaneResources,
  type SoakEnvironment,
  TOPIC,
  type Trial,
  type Variant,
} from '../lane.js';

const TABS = 3;
/** 50 events a second. */
const PUBLISH_EVERY_MS = 20;
/** The leader goes this long after the trial began publishing (at least two events). */
const MIN_DELAY_MS = 40;
const MAX_DELAY_MS = 140;
/** The new tab starts loading this long after the leader goes (negative: before). */
const REPLACEMENT_OFFSET_MS = { min: -150, max: 300 };
const CATCH_UP_TIMEOUT_MS = 15_000;

export async function failoverLane(
  environment: SoakEnvironment,
  name: string,
  variant: Variant,
): Promise<Lane> {
  const lane = await LaneResources.open(environment, variant);
  const { server, profile } = lane;
  const user = name;
  /** Publishing during each failover only, `n` counting on from one trial to the next. */
  let publisher: Publisher | undefined;
  let nextN = 0;
  const stopPublishing = () => {
    nextN = publisher?.stop() ?? nextN;
    publisher = undefined;
  };
  /** Where each tab's next check starts: the first `n` it must have, its first new delivery. */
  const checked = new Map<Tab, { from: number; since: number }>();

  const openTab = async () => {
    const tab = await profile.openTab(lane.tabOptions(user));
    checked.set(tab, { from: publisher?.count ?? nextN, since: 0 });
    return tab;
  };

  /**
   * Checks `tab`'s deliveries up to `to` (by default, up to the last it delivered); `failover`
   * says what happened, for a violation's message.
   */
  const check = async (trial: Trial, failover: string, tab: Tab, to?: number) => {
    const record = await tab.record();
    const deliveries = deliveriesOf(record.events);
    const { from, since } = checked.get(tab)!;
    const until = to ?? Math.max(from - 1, ...deliveries.map((delivery) => delivery.n));
    checked.set(tab, { from: until + 1, since: deliveries.length });
    if (environment.selfCheck && until >= from) injectFault(trial, deliveries, until);
    const resyncs = record.resyncs.filter((resync) => resync.topic === TOPIC).map((r) => r.at);
    for (const violation of deliveryViolations({ deliveries, resyncs, since, from, to: until })) {
      trial.fail(`${tab.name}: ${violation}; ${failover}`);
    }
  };

  /** One failover, while `running` publishes. */
  const failOver = async (trial: Trial, running: Publisher) => {
    const tabs = [...lane.tabs];
    const leader = await expectOneStream(server, tabs, user);
    const kind = trial.random() < 0.5 ? 'close' : 'crash';
    const offset = between(trial.random, REPLACEMENT_OFFSET_MS.min, REPLACEMENT_OFFSET_MS.max);
    const failover =
      `the leader ${leader.name} ${kind === 'close' ? 'closed' : 'crashed'}, ` +
      `a new tab opened ${offset} ms after`;
    await sleep(between(trial.random, MIN_DELAY_MS, MAX_DELAY_MS));

    await check(trial, failover, leader);
    const goneAt = Date.now();
    const [, replacement] = await Promise.all([
      sleep(Math.max(0, offset)).then(() => (kind === 'close' ? leader.close() : leader.crash())),
      sleep(Math.max(0, -offset)).then(openTab),
    ]);
    const survivors = [...tabs.filter((tab) => tab !== leader), replacement];
    try {
      // Asking only the server first, until a stream opened since the leader went.
      await server.waitForConnects(
        'a stream of the new leader',
        goneAt,
        (attempts) => attempts.some((attempt) => attempt.user === user && attempt.status === 200),
        { interval: 10 },
      );
      await expectOneStream(server, survivors, user);
    } catch (error) {
      trial.fail(`${failover}: ${(error as Error).message.slice(0, 300)}`);
      return;
    }
    const last = running.count - 1;
    try {
      await Promise.all(survivors.map((tab) => caughtUp(tab, last)));
    } catch {
      trial.fail(`not every tab delivered event ${last} within ${CATCH_UP_TIMEOUT_MS} ms`);
    }
    stopPublishing();
    for (const tab of survivors) await check(trial, failover, tab, last);
    await lane.reportErrors(trial, survivors);
  };

  try {
    for (let index = 0; index < TABS; index++) await openTab();
  } catch (error) {
    await lane.close();
    throw error;
  }

  return {
    async run(trial: Trial) {
      publisher = startPublishing(server, TOPIC, PUBLISH_EVERY_MS, { from: nextN });
      try {
        await failOver(trial, publisher);
      } finally {
        stopPublishing();
      }
    },
    async close() {
      stopPublishing();
      await lane.close();
    },
  };
}

/** Waits until `tab` delivered the event `{ n }` or a later one. */
function caughtUp(tab: Tab, n: number): Promise<unknown> {
  return tab.page.waitForFunction(
    ({ topic, last }) =>
      window.harness.record.events.some(
        (event) => event.topic === topic && (event.data as { n: number }).n >= last,
      ),
    { topic: TOPIC, last: n },
    { polling: 20, timeout: CATCH_UP_TIMEOUT_MS },
  );
}

/**
 * The self-check's fault, in what the detector reads (the page cannot be made to misdeliver):
 * odd trials see the last event of the window delivered twice, even ones one event lost.
 */
function injectFault(trial: Trial, deliveries: Delivery[], until: number): void {
  const index = deliveries.findIndex((delivery) => delivery.n === until);
  if (index < 0) return;
  if (trial.number % 2 === 1) deliveries.splice(index + 1, 0, { ...deliveries[index]! });
  else deliveries.splice(index, 1);
}
