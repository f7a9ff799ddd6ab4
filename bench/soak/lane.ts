/**
 * What every soak scenario runs on: a lane is one browser profile of the run's one Chromium and a
 * test server of its own (the real companion hub), so lanes run side by side without sharing a
 * lock, a channel, a cookie or a connect log. A lane runs its trials one after the other.
 */
import type {
  BrowserProfile,
  Tab,
  TabOptions,
  TestChromium,
} from '../../test/browser/support/browser.js';
import type { DeliveredEvent } from '../../test/browser/support/page-api.js';
import { TestServer } from '../../test/browser/support/test-server.js';
import { waitUntil } from '../../test/browser/support/wait.js';
import type { Delivery } from './checks.js';

/** The one topic the soak publishes on and every tab subscribes to. */
export const TOPIC = 'news';

export interface Trial {
  /** 1-based, counted per scenario. */
  readonly number: number;
  /** Seeded by the run's seed, the scenario and the trial number: every random choice. */
  readonly random: () => number;
  /** Records a violation found in this trial. */
  fail(message: string): void;
  /** Records a measurement for the summary (its spread, per name). */
  observe(name: string, value: number): void;
}

/** How the tabs of a lane lead and stream. */
export interface Variant {
  /** Without Web Locks, leadership falls back to the BroadcastChannel election. */
  withoutWebLocks: boolean;
  transport: 'eventsource' | 'fetch';
}

export const DEFAULT_VARIANT: Variant = { withoutWebLocks: false, transport: 'eventsource' };

export interface SoakEnvironment {
  chromium: TestChromium;
  /** The test page (`test/browser/support/page.ts`), bundled once for the run. */
  pageBundle: string;
  /** Every trial injects a fault its detector must catch. */
  selfCheck: boolean;
}

export interface Lane {
  run(trial: Trial): Promise<void>;
  /** Last checks, then closes the profile and the server. */
  close(): Promise<void>;
}

/** The profile and server of one lane, and what its tabs and hub reported as errors. */
export class LaneResources {
  private readonly reportedErrors = new Set<string>();
  private hubErrorsSeen = 0;

  private constructor(
    readonly server: TestServer,
    readonly profile: BrowserProfile,
    readonly variant: Variant,
  ) {}

  static async open(environment: SoakEnvironment, variant: Variant): Promise<LaneResources> {
    const server = await TestServer.start({ pageBundle: environment.pageBundle });
    const profile = await environment.chromium.newProfile(server, {
      withoutWebLocks: variant.withoutWebLocks,
    });
    return new LaneResources(server, profile, variant);
  }

  get tabs(): Tab[] {
    return this.profile.tabs;
  }

  tabOptions(user: string): TabOptions {
    return { user, transport: this.variant.transport, topics: [TOPIC] };
  }

  /**
   * Fails `trial` with every error a page or the hub reported since the last call (the browser
   * suite requires none, after every test).
   */
  async reportErrors(trial: Trial, tabs: readonly Tab[] = this.tabs): Promise<void> {
    for (const tab of tabs) {
      const recorded = await tab.page
        .evaluate(() => window.harness.record.errors)
        .catch((): string[] => []);
      for (const error of [...tab.pageErrors, ...recorded]) {
        const line = `${tab.name}: ${error}`;
        if (this.reportedErrors.has(line)) continue;
        this.reportedErrors.add(line);
        trial.fail(`error in a page: ${line}`);
      }
    }
    for (const line of this.server.logged.slice(this.hubErrorsSeen)) {
      trial.fail(`error the hub logged: ${line}`);
    }
    this.hubErrorsSeen = this.server.logged.length;
  }

  async close(): Promise<void> {
    await this.profile.close();
    await this.server.close();
  }
}

/**
 * Waits, asking only the server (cheap: no tab is asked, so it polls every 10 ms), until it
 * holds `count` streams of `user`; a wait on the tabs then needs a poll or two, not dozens.
 */
export async function waitForStreams(server: TestServer, user: string, count: number) {
  await waitUntil(
    `${count} streams of ${user}`,
    () => server.hub.stats().streamsByUser[user] ?? 0,
    (streams) => streams === count,
    { interval: 10 },
  );
}

/** Waits until every one of `tabs` is signed out and the server holds no stream of `user`. */
export async function waitForSignedOut(
  server: TestServer,
  tabs: readonly Tab[],
  user: string,
): Promise<void> {
  await waitForStreams(server, user, 0);
  await waitUntil(
    `every tab signed out and no stream of ${user}`,
    async () => ({
      phases: await Promise.all(tabs.map(async (tab) => (await tab.status()).phase)),
      streams: server.hub.stats().streamsByUser[user] ?? 0,
    }),
    ({ phases, streams }) => streams === 0 && phases.every((phase) => phase === 'signedOut'),
  );
}

/**
 * A self-check's fault: `tab` opens a stream of the topic with its own EventSource, outside
 * tabcast, and closes it once it opened (the server has counted it by then).
 */
export function streamOutsideTabcast(tab: Tab): Promise<void> {
  return tab.page.evaluate(
    (topic) =>
      new Promise<void>((resolve) => {
        const source = new EventSource(`/events?topics=${topic}&clientId=self-check`);
        source.onopen = source.onerror = () => {
          source.close();
          resolve();
        };
      }),
    TOPIC,
  );
}

/** The deliveries of the soak's topic among a tab's recorded events. */
export function deliveriesOf(events: readonly DeliveredEvent[]): Delivery[] {
  return events
    .filter((event) => event.topic === TOPIC)
    .map((event) => ({ n: (event.data as { n: number }).n, at: event.at }));
}

/** A random element of `items`. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A random whole number of ms in `[min, max)`. */
export function between(random: () => number, min: number, max: number): number {
  return Math.floor(min + random() * (max - min));
}
