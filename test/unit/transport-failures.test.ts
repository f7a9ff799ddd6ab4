/**
 * When the browser lacks a transport or the network breaks under it: every such failure is one
 * failed attempt, retried with backoff, and says why in the status.
 */
import { describe, expect, it } from 'vitest';
import { createTabcast } from '../../src/index.js';
import { Harness, URL } from '../support/harness.js';

describe('a transport that cannot work', () => {
  it('without EventSource, each attempt fails as a network error and is retried', async () => {
    const harness = new Harness({ eventSource: false });
    const { tabcast } = harness.open();
    await harness.settle(10);
    expect(tabcast.status).toMatchObject({
      phase: 'reconnecting',
      attempt: 1,
      error: { code: 'network' },
    });
  });

  it('a probe the network fails too is a network error, not an answer', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open();
    await harness.settle(10);
    harness.theSource().fail();
    await harness.settle();
    harness.browser.fetches[0]!.fail();
    await harness.settle();
    expect(tabcast.status).toMatchObject({ phase: 'reconnecting', error: { code: 'network' } });
  });

  it('an event longer than the fetch transport holds drops the stream as oversized', async () => {
    const harness = new Harness({}, { transport: 'fetch' });
    const { tabcast } = harness.open();
    await harness.settle(10);
    const call = harness.browser.fetches.at(-1)!;
    call.respond(200);
    await harness.settle();
    expect(tabcast.status.phase).toBe('open');
    call.write(`data: ${'x'.repeat(4 * 1024 * 1024 + 1)}`);
    await harness.settle();
    expect(tabcast.status).toMatchObject({ phase: 'reconnecting', error: { code: 'oversized' } });
  });
});

describe('a page with no document', () => {
  it('counts as visible, and leaves cleanly', async () => {
    const harness = new Harness();
    const tab = harness.browser.openTab();
    const tabcast = createTabcast({
      url: URL,
      appKey: 'app',
      tabId: tab.id,
      platform: { ...tab.platform, document: undefined },
    });
    tabcast.subscribe('news', { tick: () => {} });
    tabcast.login({ userId: 'ada' });
    await harness.settle(100);
    harness.theSource().open();
    await harness.settle();
    expect(tabcast.status).toMatchObject({ phase: 'open', role: 'leader' });
    const state = harness.browser
      .channelLog('tabcast:app:ada')
      .map(({ data }) => data as { type: string; wakeAt?: number | null })
      .filter(({ type }) => type === 'state');
    expect(state.every(({ wakeAt }) => wakeAt === null)).toBe(true);
    expect(() => tabcast.dispose()).not.toThrow();
    await harness.settle();
    expect(tab.window.listenerCount('pagehide')).toBe(0);
  });
});
