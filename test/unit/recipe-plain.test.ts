import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { FakeBrowser, sseFrame } from '../fakes/index.js';
import { createTabcast, inTab } from './readme-tabcast.js';

it('several endpoints of one scope: a stream each for every tab, one logout ends them all', async () => {
  const browser = new FakeBrowser();
  const shown: string[] = [];
  const token = 'token-of-ada';
  const render = (tile: unknown) => shown.push(`tile ${JSON.stringify(tile)}`);
  const reloadDashboard = () => shown.push('reload dashboard');
  const addMessage = (text: string) => shown.push(`chat ${text}`);
  const handles = [browser.openTab(), browser.openTab()].map((tab) =>
    inTab(tab.platform, () => {
      // recipe:start
      const tabcast = createTabcast({
        url: '/api/',
        appKey: 'shop',
        wire: 'plain',
        transport: 'fetch', // headers, and Last-Event-ID on every reconnect and failover
        credentials: () => ({ authorization: `Bearer ${token}` }),
      });
      tabcast.login({ userId: 'ada' });
      tabcast.subscribe(
        'dashboard/events',
        { 'tile-updated': (data) => render(JSON.parse(data as string)) },
        { resync: () => reloadDashboard() },
      );
      tabcast.subscribe('chat/events', { message: (data) => addMessage(data as string) });
      // recipe:end
      return tabcast;
    }),
  );
  await browser.clock.advance(100);
  const calls = browser.fetches;
  expect(calls.map((call) => [call.url, call.headers.authorization]).sort()).toEqual([
    ['/api/chat/events', 'Bearer token-of-ada'],
    ['/api/dashboard/events', 'Bearer token-of-ada'],
  ]);
  for (const call of calls) call.respond(200);
  calls.find((call) => call.url.includes('chat'))!.write(sseFrame({ id: 1, data: 'hi' }));
  await browser.clock.advance(10);
  expect(shown.filter((line) => line.startsWith('chat'))).toEqual(['chat hi', 'chat hi']);
  handles[1]!.logout(); // in any tab: every stream of the scope, in every tab, ends
  await browser.clock.advance(1_000);
  expect(browser.openStreams()).toBe(0);
  expect(handles.map((tabcast) => tabcast.status.phase)).toEqual(['signedOut', 'signedOut']);
});

it('is the code of docs/recipes/plain.md', () => {
  const source = readFileSync('test/unit/recipe-plain.test.ts', 'utf8');
  const recipe = source
    .slice(source.indexOf('// recipe:start\n') + 16, source.indexOf('      // recipe:end'))
    .replace(/^ {6}/gm, '');
  expect(readFileSync('docs/recipes/plain.md', 'utf8')).toContain(recipe);
});
