import { readFileSync } from 'node:fs';
import { act, cleanup, render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { createTabcast } from '../../src/index.js';
import { FakeBrowser } from '../fakes/index.js';
import { App } from './readme-example.js';

afterEach(cleanup);

/** The README's React snippet: test/react/readme-example.tsx with the package's import paths. */
function snippet(): string {
  return readFileSync('test/react/readme-example.tsx', 'utf8')
    .replace("'../../src/index.js'", "'tabcast'")
    .replace("'../../src/react/index.js'", "'tabcast/react'");
}

describe("the README's React example", () => {
  const readme = readFileSync('README.md', 'utf8');

  it('is in the README verbatim', () => {
    expect(readme).toContain(snippet());
  });

  it('works in StrictMode: two tabs, one stream, the order shown in both', async () => {
    const browser = new FakeBrowser();
    for (const tab of [browser.openTab(), browser.openTab()]) {
      const tabcast = createTabcast<{ 'order-placed': { id: number; total: number } }>({
        url: '/events',
        appKey: 'shop',
        platform: tab.platform,
      });
      tabcast.login({ userId: 'ada' });
      render(
        <StrictMode>
          <App tabcast={tabcast} />
        </StrictMode>,
      );
    }
    await act(() => browser.clock.advance(100));
    expect(browser.eventSources).toHaveLength(1);
    const [source] = browser.eventSources;
    expect(source!.url).toMatch(/^\/events\?topics=orders&/);
    act(() => source!.open());
    act(() => source!.emitEnvelope('order-placed', 'orders', { id: 7, total: 42 }, 1));
    await act(() => browser.clock.advance(0));
    expect(screen.getAllByText('stream: open')).toHaveLength(2);
    expect(screen.getAllByText('order 7: 42 €')).toHaveLength(2);
  });
});
