/**
 * The browser side of the benchmarks, built on the browser suite's own pieces: `TestChromium`
 * (Debian's Chromium through playwright-core, same flags, a fresh profile), `TestServer` (the
 * real companion hub on 127.0.0.1) and `bundleBrowserModule` (the page bundled with esbuild).
 * What is added here is only the bench page and a handle on it.
 */
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { bundleBrowserModule } from '../demo/bundle.js';
import type { HubOptions } from '../src/server/index.js';
import { BrowserProfile, Tab, TestChromium } from '../test/browser/support/browser.js';
import { TestServer, type TestUser } from '../test/browser/support/test-server.js';
import type { BenchMode, BenchRecord, TimerCounts } from './page-api.js';
import { expectWithin } from './wait.js';

export { BrowserProfile, TestChromium, TestServer };

/** Epoch ms with sub-ms resolution, the clock the bench page uses too. */
export const wallNow = () => performance.timeOrigin + performance.now();

const pageBundles = new Map<boolean, Promise<string>>();

/**
 * The bench page, bundled once per run; with `sourcemap`, an inline map follows the same code
 * (a CPU profile's frames are then placed in the sources).
 */
export function benchBundle({ sourcemap = false } = {}): Promise<string> {
  let bundle = pageBundles.get(sourcemap);
  if (!bundle) {
    bundle = bundleBrowserModule('bench/page.ts', { sourcemap });
    pageBundles.set(sourcemap, bundle);
  }
  return bundle;
}

/** A test server serving the bench page; hub options default to the suite's quick ones. */
export async function startBenchServer(
  hub: Partial<HubOptions<TestUser>> = {},
  { sourcemap = false } = {},
): Promise<TestServer> {
  return TestServer.start({ pageBundle: await benchBundle({ sourcemap }), hub });
}

export interface BenchTabOptions {
  mode: BenchMode;
  user: string;
  /** The raw relay's streaming tab. */
  role?: 'leader' | 'follower';
  /** How long the page may take to load; past it the tab counts as hung. @default 10000 */
  loadTimeoutMs?: number;
  /** Where the page is served, for a context without a base URL (a browser joined over CDP). */
  origin?: string;
}

/** One tab running the bench page. */
export class BenchTab {
  private constructor(
    readonly page: Page,
    /** The suite's page object, for closing and crashing the tab. */
    private readonly tab: Tab,
    readonly name: string,
  ) {}

  /**
   * Opens a tab of `profile` on the bench page. Resolves null when the page did not load in
   * time (the tab is left open: a hung tab is what a per-tab baseline measures).
   */
  static async open(
    profile: BrowserProfile,
    name: string,
    options: BenchTabOptions,
  ): Promise<BenchTab | null> {
    const page = await profile.context.newPage();
    const query = new URLSearchParams({ bench: options.mode, user: options.user });
    if (options.role) query.set('role', options.role);
    const timeout = options.loadTimeoutMs ?? 10_000;
    try {
      await page.goto(`${options.origin ?? ''}/?${query}`, { waitUntil: 'commit', timeout });
      await page.waitForFunction(() => window.bench?.ready === true, undefined, {
        timeout,
        polling: 20,
      });
    } catch {
      return null;
    }
    return new BenchTab(page, new Tab(page, name, profile), name);
  }

  role(): Promise<string> {
    return this.page.evaluate(() => window.bench.role());
  }

  phase(): Promise<string> {
    return this.page.evaluate(() => window.bench.phase());
  }

  record(): Promise<BenchRecord> {
    return this.page.evaluate(() => window.bench.record);
  }

  clear(): Promise<void> {
    return this.page.evaluate(() => window.bench.clear());
  }

  deliveredCount(): Promise<number> {
    return this.page.evaluate(() => window.bench.deliveredCount());
  }

  lastDelivered(): Promise<string | null> {
    return this.page.evaluate(() => window.bench.lastDelivered());
  }

  login(user: string): Promise<void> {
    return this.page.evaluate((name) => window.bench.login(name), user);
  }

  /** Calls `logout()` in the page; returns when (page clock). */
  logout(): Promise<number> {
    return this.page.evaluate(() => window.bench.logout());
  }

  timers(): Promise<TimerCounts> {
    return this.page.evaluate(() => ({ ...window.benchTimers! }));
  }

  resetTimers(): Promise<void> {
    return this.page.evaluate(() => {
      const counts = window.benchTimers!;
      counts.fired = 0;
      counts.armed = 0;
      counts.byKind = {};
    });
  }

  close(): Promise<void> {
    return this.tab.close();
  }

  crash(): Promise<void> {
    return this.tab.crash();
  }
}

/** Opens tabs one after the other. */
export async function openTabs(
  profile: BrowserProfile,
  count: number,
  options: BenchTabOptions,
): Promise<BenchTab[]> {
  const tabs: BenchTab[] = [];
  for (let index = 0; index < count; index++) {
    const tab = await BenchTab.open(profile, `${options.mode} ${index + 1}`, options);
    if (!tab) throw new Error(`bench: ${options.mode} tab ${index + 1} did not load`);
    tabs.push(tab);
  }
  return tabs;
}

/** Waits until exactly one of `tabs` leads and every tab is open; returns the leader. */
export async function settledLeader(tabs: BenchTab[], timeoutMs = 15_000): Promise<BenchTab> {
  let leader: BenchTab | undefined;
  await expectWithin(
    `one leader among ${tabs.length} open tabs`,
    async () => {
      const seen = await Promise.all(
        tabs.map(async (tab) => ({ tab, role: await tab.role(), phase: await tab.phase() })),
      );
      const leaders = seen.filter((entry) => entry.role === 'leader');
      leader = leaders[0]?.tab;
      return leaders.length === 1 && seen.every((entry) => entry.phase === 'open');
    },
    timeoutMs,
    20,
  );
  return leader!;
}

let timerProbe: Promise<string> | undefined;

/** `timer-probe.ts` bundled, for `context.addInitScript({ content })`. */
export function timerProbeScript(): Promise<string> {
  timerProbe ??= bundleBrowserModule('bench/timer-probe.ts');
  return timerProbe;
}
