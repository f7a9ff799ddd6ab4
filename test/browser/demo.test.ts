/**
 * The demo (`npm run demo`) works as shipped: five tabs, one stream, each tab showing its role
 * and status, and its buttons doing what they say.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoServer, startDemo } from '../../demo/server.js';
import { type BrowserProfile, TestChromium } from './support/browser.js';
import { waitUntil } from './support/wait.js';

/** One tab of the demo, read and driven through its page, as a user would. */
class DemoTab {
  constructor(readonly page: Page) {}

  static async open(browser: BrowserProfile, user: string): Promise<DemoTab> {
    const page = await browser.context.newPage();
    await page.goto(`/?user=${user}`);
    return new DemoTab(page);
  }

  /** What the tab panel and the server panel show. */
  shown() {
    return this.page.evaluate(() => {
      const text = (id: string) => document.getElementById(id)?.textContent ?? null;
      return {
        role: text('role'),
        phase: text('phase'),
        user: text('user'),
        openStreams: text('open-streams'),
        chat: [...document.querySelectorAll('#events li')]
          .map((item) => item.textContent ?? '')
          .filter((item) => item.includes('chat message')),
      };
    });
  }

  async say(text: string): Promise<void> {
    await this.page.fill('#chat-text', text);
    await this.page.click('#chat-form button');
  }

  logout = () => this.page.click('#logout');
  login = () => this.page.click('#login');
}

let demo: DemoServer;
let chromium: TestChromium;

beforeAll(async () => {
  demo = await startDemo({ port: 0, clockMs: 250 });
  chromium = await TestChromium.launch();
});
afterAll(async () => {
  await chromium?.close();
  await demo?.close();
});

const serverStats = async () =>
  (await (await fetch(`${demo.origin}/api/stats`)).json()) as {
    openStreams: number;
    streamsByUser: Record<string, number>;
  };

async function expectShown(tabs: DemoTab[], phase: string, openStreams: string) {
  return waitUntil(
    `every tab showing ${phase} and ${openStreams} open stream(s)`,
    () => Promise.all(tabs.map((tab) => tab.shown())),
    (seen) => seen.every((view) => view.phase === phase && view.openStreams === openStreams),
  );
}

describe('the demo', () => {
  it('serves five tabs with one stream, each showing its role and status', async () => {
    const browser = await chromium.newProfile(demo);
    const tabs: DemoTab[] = [];
    for (let index = 0; index < 5; index += 1) tabs.push(await DemoTab.open(browser, 'demo'));

    await waitUntil('/api/stats to show one stream', serverStats, (s) => s.openStreams === 1);
    const views = await expectShown(tabs, 'open', '1');
    expect(views.map((view) => view.role).sort()).toEqual([
      'follower',
      'follower',
      'follower',
      'follower',
      'leader',
    ]);
    expect(views.every((view) => view.user === 'demo')).toBe(true);
    expect(await serverStats()).toMatchObject({ openStreams: 1, streamsByUser: { demo: 1 } });
    expect(await tabs[0]!.page.evaluate(() => window.tabcast.status.userId)).toBe('demo');

    await tabs[3]!.say('hello, tabs');
    await waitUntil(
      'the chat message in every tab',
      () => Promise.all(tabs.map((tab) => tab.shown())),
      (seen) => seen.every((view) => view.chat.some((line) => line.includes('demo: hello, tabs'))),
    );

    await tabs[2]!.logout();
    await expectShown(tabs, 'signedOut', '0');
    await tabs[2]!.login();
    await waitUntil('/api/stats to show one stream', serverStats, (s) => s.openStreams === 1);
  });
});
