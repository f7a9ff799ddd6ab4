import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FakeBrowser } from '../fakes/index.js';
import { startOrders } from './readme-example.js';
import { watchDashboard } from './readme-shared.js';
import { inTab } from './readme-tabcast.js';

/** A test file as the README shows it: imported from the package. */
function snippet(file: string): string {
  return readFileSync(file, 'utf8')
    .replace("'./readme-tabcast.js'", "'tabcast'")
    .replace(/\/\*\*.*\*\/\n/, '');
}

describe.each([
  ['test/unit/readme-example.ts', 'createTabcast'],
  ['test/unit/readme-shared.ts', 'SharedEventSource'],
])("the README's example %s", (file, name) => {
  it('is in the README verbatim', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(snippet(file));
  });

  it('is written as an app writes it: the fake browser is not in it', () => {
    expect(snippet(file)).toContain(`import { ${name} } from 'tabcast';`);
    expect(snippet(file)).not.toMatch(/platform|testing|fake/i);
  });
});

describe("the README's examples at work", () => {
  it('the companion: two tabs, one stream, the event shown in both', async () => {
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

  it('the drop-in: two tabs, one connection to the endpoint, the tile rendered in both', async () => {
    const browser = new FakeBrowser();
    const rendered: string[][] = [[], []];
    for (const [index, tab] of [browser.openTab(), browser.openTab()].entries()) {
      inTab(tab.platform, () => watchDashboard((tile) => rendered[index]!.push(tile.id)));
    }
    await browser.clock.advance(100);
    expect(browser.openStreams()).toBe(1);
    const [source] = browser.eventSources;
    expect(new URL(source!.url).pathname).toBe('/api/dashboard/events');
    expect(new URL(source!.url).search).toBe('');
    source!.open();
    source!.emit('tile-updated', '{"id":"revenue"}', { id: '1' });
    await browser.clock.advance(0);
    expect(rendered).toEqual([['revenue'], ['revenue']]);
  });
});
