import { act } from '@testing-library/react';
import { createTabcast, type Tabcast, type TabcastOptions } from '../../src/index.js';
import type { FakeBrowser, FakeTab } from '../fakes/index.js';

export const STREAM_URL = 'https://app.test/events';

/** One tab of a fake browser with tabcast in it, and what its root actor was asked to do. */
export interface ReactTab {
  tab: FakeTab;
  tabcast: Tabcast;
  /** `subscription.add` / `subscription.remove` events the root actor received, as `add news`. */
  subscriptionEvents: string[];
}

export function openTab(browser: FakeBrowser, options: Partial<TabcastOptions> = {}): ReactTab {
  const tab = browser.openTab();
  const subscriptionEvents: string[] = [];
  const topicOf = new Map<string, string>();
  const tabcast = createTabcast({
    url: STREAM_URL,
    appKey: 'app',
    tabId: tab.id,
    platform: tab.platform,
    inspect: (event) => {
      if (event.type !== '@xstate.event') return;
      const { type, id, topic } = event.event as { type: string; id?: string; topic?: string };
      if (type === 'subscription.add') topicOf.set(id!, topic!);
      if (type.startsWith('subscription.')) {
        subscriptionEvents.push(`${type.slice('subscription.'.length)} ${topicOf.get(id!)}`);
      }
    },
    ...options,
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
