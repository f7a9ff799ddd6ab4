import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FakeBrowser } from '../fakes/index.js';
import { startOrders } from './readme-example.js';

describe("the README's example", () => {
  it('is in the README verbatim', () => {
    const readme = readFileSync('README.md', 'utf8');
    const example = readFileSync('test/unit/readme-example.ts', 'utf8');
    const snippet = example
      .replace("'../../src/index.js'", "'tabcast'")
      .replace(/\/\*\*.*\*\/\n/, '');
    expect(readme).toContain(snippet);
  });

  it('works: two tabs, one stream, the event shown in both', async () => {
    const browser = new FakeBrowser();
    const shown: string[][] = [[], []];
    for (const [index, tab] of [browser.openTab(), browser.openTab()].entries()) {
      startOrders(tab.platform, (text) => shown[index]!.push(text));
    }
    await browser.clock.advance(100);
    const [source] = browser.eventSources;
    expect(browser.openStreams()).toBe(1);
    source!.open();
    source!.emitEnvelope('order-placed', 'orders', { id: 7, total: 42 }, 1);
    await browser.clock.advance(0);
    expect(shown[0]).toContain('order 7: 42 €');
    expect(shown[1]).toContain('order 7: 42 €');
    expect(shown[0]).toContain('leader · open');
    expect(shown[1]).toContain('follower · open');
  });
});
