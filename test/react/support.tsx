import { act } from '@testing-library/react';
import { createTabcast, type Tabcast, type TabcastOptions } from '../../src/index.js';
import type { FakeBrowser, FakeTab } from '../fakes/index.js';

export const STREAM_URL = 'https://app.test/events';

/** One tab of a fake browser with tabcast in it, and how its subscriptions came and went. */
export interface ReactTab {
  tab: FakeTab;
  tabcast: Tabcast;
  /**
   * Each subscription the tab chart added or removed, as `add news`: what the tab's union of
   * topics is made of. A subscription waiting out its grace delay is still there.
   */
  subscriptionEvents: string[];
}

export function openTab(browser: FakeBrowser, options: Partial<TabcastOptions> = {}): ReactTab {
  const tab = browser.openTab();
  const tabcast = createTabcast({
    url: STREAM_URL,
    appKey: 'app',
    tabId: tab.id,
    ...options,
    platform: { ...tab.platform, ...options.platform },
  });
  const subscriptionEvents: string[] = [];
  let held = tabcast.actor.getSnapshot().context.subscriptions;
  tabcast.actor.subscribe(({ context: { subscriptions } }) => {
    if (subscriptions === held) return;
    for (const [id, { topic }] of Object.entries(held)) {
      if (!(id in subscriptions)) subscriptionEvents.push(`remove ${topic}`);
    }
    for (const [id, { topic }] of Object.entries(subscriptions)) {
      if (!(id in held)) subscriptionEvents.push(`add ${topic}`);
    }
    held = subscriptions;
  });
  return { tab, tabcast, subscriptionEvents };
}

/** Moves the fake clock (and lets React render what it caused). */
export async function settle(browser: FakeBrowser, ms = 0): Promise<void> {
  await act(() => browser.clock.advance(ms));
}

/** The topics the stream asked for. */
export const topicsOf = (url: string) => new URL(url).searchParams.get('topics');

/** The one EventSource not closed; throws when there is not exactly one. */
export function theSource(browser: FakeBrowser) {
  const open = browser.eventSources.filter((source) => source.readyState !== 2);
  if (open.length !== 1) throw new Error(`expected 1 open EventSource, found ${open.length}`);
  return open[0]!;
}
