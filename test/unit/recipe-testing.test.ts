import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createTabcast } from '../../src/index.js';
import { FakeBrowser } from '../fakes/index.js';

// recipe:start
it('shows a placed order in every tab, from one stream', async () => {
  const browser = new FakeBrowser();
  const seen: string[] = [];
  for (const tab of [browser.openTab(), browser.openTab()]) {
    const tabcast = createTabcast({ url: '/events', appKey: 'shop', platform: tab.platform });
    tabcast.login({ userId: 'ada' });
    tabcast.subscribe('orders', { 'order-placed': (order) => seen.push(`${tab.id}: ${order}`) });
  }
  await browser.clock.advance(100); // elections, lock grants, topic announcements

  expect(browser.openStreams()).toBe(1);
  const stream = browser.eventSources.at(-1)!; // the leader's: the test plays the server
  stream.open();
  stream.emitEnvelope('order-placed', 'orders', 'A-17', 1);
  await browser.clock.advance(0);

  expect(seen).toEqual(['tab-1: A-17', 'tab-2: A-17']);
});
// recipe:end

it('is the code of docs/recipes/testing.md', () => {
  const source = readFileSync('test/unit/recipe-testing.test.ts', 'utf8');
  const recipe = source.slice(
    source.indexOf('// recipe:start') + 16,
    source.indexOf('// recipe:end'),
  );
  const page = readFileSync('docs/recipes/testing.md', 'utf8');
  expect(page).toContain(recipe);
});
