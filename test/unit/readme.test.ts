import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FakeBrowser } from '../fakes/index.js';
import { startOrders } from './readme-example.js';
import { inTab } from './readme-tabcast.js';

/** test/unit/readme-example.ts as the README shows it: imported from the package. */
function snippet(): string {
  return readFileSync('test/unit/readme-example.ts', 'utf8')
    .replace("'./readme-tabcast.js'", "'tabcast'")
    .replace(/\/\*\*.*\*\/\n/, '');
}

describe("the README's example", () => {
  it('is in the README verbatim', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain(snippet());
  });

  it('is written as an app writes it: the fake browser is not in it', () => {
    expect(snippet()).toContain("import { createTabcast } from 'tabcast';");
    expect(snippet()).not.toMatch(/platform|testing|fake/i);
  });

  it('works: two tabs, one stream, the event shown in both', async () => {
    const browser = new FakeBrowser();
    const shown: string[][] = [[], []];
    for (const [index, tab] of [browser.openTab(), browser.openTab()].entries()) {
      inTab(tab.platform, () => startOrders((text) => shown[index]!.push(text)));
    }
    await browser.clock.advance(100);
    const [source] = browser.eventSources;
    expect(browser.openStreams()).toBe(1);
    expect(source!.url).toMatch(/^\/events\?topics=orders&clientId=/);
    source!.open();
    source!.emitEnvelope('order-placed', 'orders', { id: 7, total: 42 }, 1);
    await browser.clock.advance(0);
    expect(shown[0]).toContain('order 7: 42 €');
    expect(shown[1]).toContain('order 7: 42 €');
    expect(shown[0]).toContain('leader · open');
    expect(shown[1]).toContain('follower · open');
  });
});
