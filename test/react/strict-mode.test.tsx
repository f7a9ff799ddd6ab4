/**
 * React StrictMode mounts every component, unmounts it and mounts it again. A hook that
 * subscribes in an effect then drops its topic from the tab's union and adds it back: the tab
 * announces three topic sets to the leader, and a leader whose stream already carried the topic
 * reconnects. `useTopic` subscribes with the provider's grace delay instead: the handle keeps the
 * topic in the union through it.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { StrictMode, useEffect } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tabcast } from '../../src/index.js';
import { TabcastProvider, useTabcast, useTabcastStatus, useTopic } from '../../src/react/index.js';
import { FakeBrowser } from '../fakes/index.js';
import { openTab, settle, theSource, topicsOf } from './support.js';

afterEach(cleanup);

function Feed({ name }: { name: string }) {
  const status = useTabcastStatus((status) => `${status.role} · ${status.phase}`);
  return <p data-testid={name}>{status}</p>;
}

/** What a naive hook does: subscribe in an effect, unsubscribe in its cleanup. */
function useNaiveTopic(topic: string, handlers: Record<string, (data: unknown) => void>) {
  const tabcast = useTabcast();
  useEffect(() => tabcast.subscribe(topic, handlers), [tabcast, topic]);
}

const hooks = {
  useTopic: (topic: string, seen: unknown[]) =>
    useTopic(topic, { tick: (data) => seen.push(data) }),
  naive: (topic: string, seen: unknown[]) =>
    useNaiveTopic(topic, { tick: (data) => seen.push(data) }),
};

function app(tabcast: Tabcast, hook: keyof typeof hooks, seen: unknown[]) {
  function News() {
    hooks[hook]('news', seen);
    return <Feed name={`feed-${tabcast.actor.getSnapshot().context.tabId}`} />;
  }
  return (
    <StrictMode>
      <TabcastProvider tabcast={tabcast}>
        <News />
      </TabcastProvider>
    </StrictMode>
  );
}

describe('StrictMode', () => {
  it('opens exactly one EventSource and keeps the topic through the double mount', async () => {
    const browser = new FakeBrowser();
    const { tabcast, subscriptionEvents } = openTab(browser);
    const seen: unknown[] = [];
    render(app(tabcast, 'useTopic', seen));
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 5_000);
    expect(browser.eventSources).toHaveLength(1);
    const source = theSource(browser);
    expect(topicsOf(source.url)).toBe('news');
    act(() => source.open());
    act(() => source.emitEnvelope('tick', 'news', 'hello', 1));
    await settle(browser, 5_000);
    expect(screen.getByTestId('feed-tab-1').textContent).toBe('leader · open');
    expect(seen).toEqual(['hello']);
    // The second mount subscribes before the first one's release: the topic never leaves.
    expect(subscriptionEvents).toEqual(['add news', 'add news', 'remove news']);
    expect(browser.eventSources).toHaveLength(1);
  });

  it.each([
    {
      hook: 'useTopic',
      announced: [['news']],
      subscriptions: ['add news', 'add news', 'remove news'],
    },
    {
      hook: 'naive',
      announced: [['news'], [], ['news']],
      subscriptions: ['add news', 'remove news', 'add news'],
    },
  ] as const)(
    'a signed-in tab mounting $hook announces its topics: $announced',
    async ({ hook, announced, subscriptions }) => {
      const browser = new FakeBrowser();
      const leader = openTab(browser);
      leader.tabcast.subscribe('news', { tick: () => {} });
      leader.tabcast.login({ userId: 'ada' });
      await settle(browser, 10);
      act(() => theSource(browser).open());
      const follower = openTab(browser);
      follower.tabcast.login({ userId: 'ada' });
      await settle(browser, 10);
      const posted = browser.channelLog('tabcast:app:ada').length;

      render(app(follower.tabcast, hook, []));
      await settle(browser, 5_000);

      const topicSets = browser
        .channelLog('tabcast:app:ada')
        .slice(posted)
        .filter(
          ({ from, data }) => from === 'tab-2' && (data as { type: string }).type === 'topics',
        )
        .map(({ data }) => (data as { topics: string[] }).topics);
      expect(topicSets).toEqual(announced);
      expect(follower.subscriptionEvents).toEqual(subscriptions);
      expect(browser.eventSources).toHaveLength(1);
      expect(screen.getByTestId('feed-tab-2').textContent).toBe('follower · open');
    },
  );

  it('two tabs, each a StrictMode app: one stream, every event in both', async () => {
    const browser = new FakeBrowser();
    const tabs = [openTab(browser), openTab(browser)];
    const seen: unknown[][] = [[], []];
    for (const [index, { tabcast }] of tabs.entries()) {
      render(app(tabcast, 'useTopic', seen[index]!));
      act(() => tabcast.login({ userId: 'ada' }));
    }
    await settle(browser, 5_000);
    expect(browser.eventSources).toHaveLength(1);
    act(() => theSource(browser).open());
    act(() => theSource(browser).emitEnvelope('tick', 'news', 'hello', 1));
    await settle(browser, 100);
    expect(seen).toEqual([['hello'], ['hello']]);
    expect(screen.getByTestId('feed-tab-1').textContent).toBe('leader · open');
    expect(screen.getByTestId('feed-tab-2').textContent).toBe('follower · open');
    expect(browser.eventSources).toHaveLength(1);
  });
});
