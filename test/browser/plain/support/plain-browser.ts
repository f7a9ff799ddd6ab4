/**
 * Page objects for the plain test page: a Chromium, its profiles (contexts: their tabs share a
 * connection pool, like the tabs of one real profile), and tabs that create EventSources and
 * report what they dispatched.
 *
 * ```ts
 * const tab = await profile.openTab(NATIVE);
 * await tab.open('news', '/stream/news', { listen: ['tick'] });
 * const entries = await tab.waitForEntries('news', 'two events', (seen) => seen.length >= 3);
 * ```
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../support/browser.js';
import { type WaitOptions, waitUntil } from '../../support/wait.js';
import type { Variant } from './implementations.js';
import type { OpenedSource, OpenOptions, SourceEntry } from './page-api.js';
import { PLAIN_PAGE_PATH } from './plain-server.js';

export class PlainChromium {
  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<PlainChromium> {
    return new PlainChromium(
      await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
    );
  }

  /** A fresh profile on `origin`; an https origin's self-signed certificate is accepted. */
  async newProfile(origin: string): Promise<PlainProfile> {
    const context = await this.browser.newContext({
      baseURL: origin,
      ignoreHTTPSErrors: origin.startsWith('https:'),
    });
    return new PlainProfile(context);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

export class PlainProfile {
  readonly tabs: PlainTab[] = [];

  constructor(readonly context: BrowserContext) {}

  /** Opens the plain page with `variant`'s constructor and waits until it is ready. */
  async openTab(variant: Variant): Promise<PlainTab> {
    const page = await this.context.newPage();
    const tab = new PlainTab(page, `${variant.name} tab ${this.tabs.length + 1}`, variant);
    page.on('pageerror', (error) => tab.pageErrors.push(String(error)));
    this.tabs.push(tab);
    await page.goto(`${PLAIN_PAGE_PATH}?impl=${variant.implementation}`, { waitUntil: 'commit' });
    // A page that fails to start (a constructor missing) says why, instead of timing out.
    const started = await waitUntil(
      `${tab.name} to be ready`,
      async () => ({
        ready: await page.evaluate(() => window.plain?.ready === true).catch(() => false),
        errors: tab.pageErrors,
      }),
      (seen) => seen.ready || seen.errors.length > 0,
      { timeout: 20_000 },
    );
    if (!started.ready) {
      // Gone, so that its errors are reported once, here, and not by every later test.
      this.tabs.splice(this.tabs.indexOf(tab), 1);
      await page.close();
      throw new Error(`${tab.name} failed to start: ${started.errors.join('; ')}`);
    }
    return tab;
  }

  async openTabs(count: number, variant: Variant): Promise<PlainTab[]> {
    const tabs: PlainTab[] = [];
    for (let index = 0; index < count; index += 1) tabs.push(await this.openTab(variant));
    return tabs;
  }

  /** Kills `tab`'s renderer (CDP `Page.crash`): no unload, no goodbye, nothing runs. */
  async crash(tab: PlainTab): Promise<void> {
    this.tabs.splice(this.tabs.indexOf(tab), 1);
    const session = await this.context.newCDPSession(tab.page);
    const crashed = new Promise<void>((resolve) => tab.page.once('crash', () => resolve()));
    // Not awaited: the renderer dies before it could answer.
    session.send('Page.crash').catch(() => {});
    await crashed;
    await tab.page.close().catch(() => {});
  }

  /** Errors every tab's page reported (uncaught, rejected), each prefixed with its tab. */
  async errors(): Promise<string[]> {
    const all = await Promise.all(
      this.tabs.map(async (tab) => {
        const inPage = await tab.page
          .evaluate(() => window.plain.errors)
          .catch(() => [] as string[]);
        return [...tab.pageErrors, ...inPage].map((error) => `${tab.name}: ${error}`);
      }),
    );
    return all.flat();
  }

  async close(): Promise<void> {
    await this.context.close();
    this.tabs.length = 0;
  }
}

export class PlainTab {
  readonly pageErrors: string[] = [];

  constructor(
    readonly page: Page,
    readonly name: string,
    readonly variant: Variant,
  ) {}

  /** Creates a recording source named `key`; the variant's `init` comes first, then `options.init`. */
  open(key: string, url: string, options: OpenOptions = {}): Promise<OpenedSource> {
    const init = { ...this.variant.init, ...options.init };
    return this.page.evaluate(
      ({ name, address, opening }) => window.plain.open(name, address, opening),
      { name: key, address: url, opening: { ...options, init } },
    );
  }

  entries(key: string): Promise<SourceEntry[]> {
    return this.page.evaluate((name) => window.plain.entries(name), key);
  }

  readyState(key: string): Promise<number> {
    return this.page.evaluate((name) => window.plain.readyState(name), key);
  }

  close(key: string): Promise<void> {
    return this.page.evaluate((name) => window.plain.close(name), key);
  }

  closeAll(): Promise<void> {
    return this.page.evaluate(() => window.plain.closeAll());
  }

  /** Polls the entries of `key` until `accept` holds; returns them. */
  waitForEntries(
    key: string,
    what: string,
    accept: (entries: SourceEntry[]) => boolean,
    options?: WaitOptions,
  ): Promise<SourceEntry[]> {
    return waitUntil(
      `${this.name}, source ${key}: ${what}`,
      () => this.entries(key),
      accept,
      options,
    );
  }

  /** Waits until the source of `key` is CLOSED (2); returns its entries. */
  async waitUntilClosed(key: string, options?: WaitOptions): Promise<SourceEntry[]> {
    await waitUntil(
      `${this.name}, source ${key}: CLOSED`,
      () => this.readyState(key),
      (state) => state === 2,
      options,
    );
    return this.entries(key);
  }
}
