/**
 * Page objects for real Chromium tabs, so the tests read as prose:
 *
 * ```ts
 * const browser = await chromium.newProfile(server);
 * const tabs = await browser.openTabs(10, { user: 'ada' });
 * await tabs[0].logout();
 * ```
 *
 * A `BrowserProfile` is one browser context: its tabs share BroadcastChannel and Web Locks, like
 * the tabs of one real profile; two profiles share nothing (two users on two machines).
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { TabcastDiagnostics, TabcastStatus } from '../../../src/index.js';
import type {
  DeliveredEvent,
  PageRecord,
  RecordedConnect,
  RecordedResync,
  RecordedStatus,
} from './page-api.js';
import { waitUntil } from './wait.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Every tab runs its timers at full speed, as a tab in front would.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** Where a page is served: the test server, or the demo. */
export interface Site {
  readonly origin: string;
}

export interface TabOptions {
  /** Signs in on load as this user; signed out without it. */
  user?: string;
  transport?: 'eventsource' | 'fetch';
  /** Topics subscribed on load. @default ['news'] */
  topics?: string[];
  /** SSE event names each subscription listens to. @default ['tick'] */
  events?: string[];
  /** The page path, for sites other than the test server. @default '/' */
  path?: string;
}

export interface ProfileOptions {
  /** Removes `navigator.locks` before any script runs: leadership falls back to the election. */
  withoutWebLocks?: boolean;
}

/** One Chromium for a test file; profiles (contexts) are cheap. */
export class TestChromium {
  private constructor(private readonly browser: Browser) {}

  /** Launches the system Chromium with a fresh, temporary user-data dir (Playwright's own). */
  static async launch(): Promise<TestChromium> {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    return new TestChromium(browser);
  }

  /** A fresh browser profile whose pages are served by `site`. */
  async newProfile(site: Site, options: ProfileOptions = {}): Promise<BrowserProfile> {
    const context = await this.browser.newContext({ baseURL: site.origin });
    if (options.withoutWebLocks) {
      await context.addInitScript(() => {
        delete (Navigator.prototype as { locks?: unknown }).locks;
      });
    }
    return new BrowserProfile(context);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

export class BrowserProfile {
  /** Tabs opened and not yet closed or crashed. */
  readonly tabs: Tab[] = [];
  private opened = 0;

  constructor(readonly context: BrowserContext) {}

  /** Opens a tab and waits until its tabcast is created (and signed in, with `user`). */
  async openTab(options: TabOptions = {}): Promise<Tab> {
    const tab = this.adopt(await this.context.newPage());
    await tab.load(options);
    return tab;
  }

  /**
   * Opens `count` tabs one after the other, or, with `atOnce`, creates them first and then
   * navigates all of them in the same instant (their scripts race for leadership).
   */
  async openTabs(count: number, options: TabOptions & { atOnce?: boolean } = {}): Promise<Tab[]> {
    if (options.atOnce) {
      const pages = await Promise.all(Array.from({ length: count }, () => this.context.newPage()));
      const tabs = pages.map((page) => this.adopt(page));
      await Promise.all(tabs.map((tab) => tab.load(options)));
      return tabs;
    }
    const tabs: Tab[] = [];
    for (let index = 0; index < count; index += 1) tabs.push(await this.openTab(options));
    return tabs;
  }

  private adopt(page: Page): Tab {
    const tab = new Tab(page, `tab ${++this.opened}`, this);
    page.on('pageerror', (error) => tab.pageErrors.push(String(error)));
    this.tabs.push(tab);
    return tab;
  }

  /** The one tab that leads, waiting until exactly one does. */
  async leader(): Promise<Tab> {
    const roles = await waitUntil(
      'exactly one leader tab',
      () => Promise.all(this.tabs.map(async (tab) => ({ tab, status: await tab.status() }))),
      (seen) => seen.filter(({ status }) => status.role === 'leader').length === 1,
    );
    return roles.find(({ status }) => status.role === 'leader')!.tab;
  }

  async followers(): Promise<Tab[]> {
    const leader = await this.leader();
    return this.tabs.filter((tab) => tab !== leader);
  }

  /** Closes every tab, keeping the profile. */
  async closeTabs(): Promise<void> {
    await Promise.all([...this.tabs].map((tab) => tab.close()));
  }

  async close(): Promise<void> {
    await this.context.close();
    this.tabs.length = 0;
  }

  /** @internal */
  forget(tab: Tab): void {
    const index = this.tabs.indexOf(tab);
    if (index >= 0) this.tabs.splice(index, 1);
  }
}

function pagePath(options: TabOptions): string {
  const query = new URLSearchParams();
  if (options.user) query.set('user', options.user);
  if (options.transport) query.set('transport', options.transport);
  if (options.topics) query.set('topics', options.topics.join(','));
  if (options.events) query.set('events', options.events.join(','));
  return `${options.path ?? '/'}?${query}`;
}

/** One tab of a profile, running the test page. */
export class Tab {
  readonly pageErrors: string[] = [];

  constructor(
    readonly page: Page,
    readonly name: string,
    private readonly profile: BrowserProfile,
  ) {}

  /** Navigates to the test page and waits until its tabcast is created (and signed in). */
  async load(options: TabOptions): Promise<void> {
    await this.page.goto(pagePath(options), { waitUntil: 'commit' });
    await this.page.waitForFunction(() => window.harness?.ready === true, undefined, {
      timeout: 20_000,
      polling: 50,
    });
  }

  status(): Promise<TabcastStatus> {
    return this.page.evaluate(() => window.harness.status());
  }

  diagnostics(): Promise<TabcastDiagnostics> {
    return this.page.evaluate(() => window.harness.diagnostics());
  }

  /** Everything the tab's subscribers received, optionally of one topic. */
  async events(topic?: string): Promise<DeliveredEvent[]> {
    const events = await this.page.evaluate(() => window.harness.record.events);
    return topic === undefined ? events : events.filter((event) => event.topic === topic);
  }

  /** The `n` field of every event of `topic` (the tests publish `{ n }`), in delivery order. */
  async numbers(topic: string): Promise<number[]> {
    return (await this.events(topic)).map((event) => (event.data as { n: number }).n);
  }

  resyncs(): Promise<RecordedResync[]> {
    return this.page.evaluate(() => window.harness.record.resyncs);
  }

  statuses(): Promise<RecordedStatus[]> {
    return this.page.evaluate(() => window.harness.record.statuses);
  }

  /** The requests tabcast started to the stream endpoint, in order. */
  connects(): Promise<RecordedConnect[]> {
    return this.page.evaluate(() => window.harness.record.connects);
  }

  record(): Promise<PageRecord> {
    return this.page.evaluate(() => window.harness.record);
  }

  login(user: string): Promise<void> {
    return this.page.evaluate((name) => window.harness.login(name), user);
  }

  /** Logs out in this tab; resolves with when the page called `logout()` (its wall clock). */
  logout(): Promise<number> {
    return this.page.evaluate(() => window.harness.logout());
  }

  retry(): Promise<void> {
    return this.page.evaluate(() => window.harness.retry());
  }

  subscribe(topic: string): Promise<void> {
    return this.page.evaluate((name) => window.harness.subscribe(name), topic);
  }

  unsubscribe(topic: string): Promise<void> {
    return this.page.evaluate((name) => window.harness.unsubscribe(name), topic);
  }

  /** Posts each message, as is, on a BroadcastChannel of that name opened in this tab. */
  postOnChannel(channelName: string, messages: unknown[]): Promise<void> {
    return this.page.evaluate(
      ({ name, posts }) => {
        const channel = new BroadcastChannel(name);
        for (const message of posts) channel.postMessage(message);
        channel.close();
      },
      { name: channelName, posts: messages },
    );
  }

  /** Closes the tab as a user would (unload runs). */
  async close(): Promise<void> {
    this.profile.forget(this);
    if (!this.page.isClosed()) await this.page.close();
  }

  /** Kills the tab's renderer (CDP `Page.crash`): no unload, no goodbye, nothing runs. */
  async crash(): Promise<void> {
    this.profile.forget(this);
    const session = await this.page.context().newCDPSession(this.page);
    const crashed = new Promise<void>((resolve) => this.page.once('crash', () => resolve()));
    // Not awaited: the renderer dies before it could answer.
    session.send('Page.crash').catch(() => {});
    await crashed;
    await this.page.close().catch(() => {});
  }
}
