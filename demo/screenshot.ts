/**
 * Renders docs/demo.png: two tabs of the demo (a leader and a follower) side by side.
 *
 *   npx tsx demo/screenshot.ts
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { TestChromium } from '../test/browser/support/browser.js';
import { waitUntil } from '../test/browser/support/wait.js';
import { REPO_ROOT } from './bundle.js';
import { startDemo } from './server.js';

const demo = await startDemo({ port: 0 });
const chromium = await TestChromium.launch();
try {
  const browser = await chromium.newProfile(demo);
  const tabs: Page[] = [];
  for (let index = 0; index < 2; index += 1) {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 720, height: 700 });
    await page.goto('/?user=ada');
    tabs.push(page);
  }
  await waitUntil(
    'a leader and a follower, both open',
    () => Promise.all(tabs.map((page) => page.evaluate(() => window.tabcast.status))),
    (statuses) =>
      statuses.every((status) => status.phase === 'open') &&
      statuses
        .map((status) => status.role)
        .sort()
        .join() === 'follower,leader',
  );
  await tabs[1]!.fill('#chat-text', 'hello from the second tab');
  await tabs[1]!.click('#chat-form button');
  await waitUntil(
    'the chat message and some clock ticks in both tabs',
    () => Promise.all(tabs.map((page) => page.locator('#events li').allTextContents())),
    (lists) =>
      lists.every((items) => items.length >= 4 && items.some((item) => item.includes('hello'))),
  );
  const shots = await Promise.all(tabs.map((page) => page.screenshot()));

  // Side by side, captioned, on one page of its own.
  const sheet = await browser.context.newPage();
  await sheet.setViewportSize({ width: 1480, height: 760 });
  await sheet.setContent(`<body style="margin:0;background:#c9d1de;font:13px system-ui;display:flex;gap:16px;padding:16px">
    ${shots
      .map(
        (
          shot,
          index,
        ) => `<figure style="margin:0"><figcaption style="padding:0 0 6px">Tab ${index + 1}</figcaption>
        <img style="display:block;border:1px solid #8a93a6" src="data:image/png;base64,${shot.toString('base64')}"></figure>`,
      )
      .join('')}</body>`);
  const path = `${REPO_ROOT}docs/demo.png`;
  writeFileSync(path, await sheet.screenshot({ fullPage: true }));
  console.log(`wrote ${path}`);
} finally {
  await chromium.close();
  await demo.close();
}
