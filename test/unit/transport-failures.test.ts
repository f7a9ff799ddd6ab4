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

describe('native EventSource, as tabcast reads it', () => {
  async function openStream(harness: Harness) {
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    return harness.theSource();
  }

  it('takes a repeated last id as no id: only a new id is an id', async () => {
    const harness = new Harness();
    const { delivered } = harness.open();
    const source = await openStream(harness);
    source.emitEnvelope('tick', 'news', 'one', 5);
    source.emitEnvelope('tick', 'news', 'two');
    source.emitEnvelope('tick', 'news', 'three');
    source.emitEnvelope('tick', 'news', 'four', 6);
    await harness.settle();
    expect(delivered.map(({ id, data }) => [id, data])).toEqual([
      ['5', 'one'],
      [null, 'two'],
      [null, 'three'],
      ['6', 'four'],
    ]);
  });

  it('listens to an event name subscribed while it is open, without reconnecting', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open();
    const source = await openStream(harness);
    const tocks: unknown[] = [];
    tabcast.subscribe('news', { tock: (data) => tocks.push(data) });
    await harness.settle(100);
    source.emitEnvelope('tock', 'news', 'late');
    await harness.settle();
    expect(tocks).toEqual(['late']);
    expect(harness.browser.eventSources).toHaveLength(1);
  });

  it('opens with credentials when asked, and probes a failure as an event stream request', async () => {
    const harness = new Harness({}, { withCredentials: true });
    harness.open();
    await harness.settle(10);
    expect(harness.theSource().withCredentials).toBe(true);
    harness.theSource().fail();
    await harness.settle();
    expect(harness.browser.fetches[0]!.headers.accept).toBe('text/event-stream');
  });

  it('takes a probe answered with an event stream as a network failure, and retries', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open();
    await harness.settle(10);
    harness.theSource().fail();
    await harness.settle();
    harness.browser.fetches[0]!.respond(200);
    await harness.settle();
    expect(tabcast.status).toMatchObject({ phase: 'reconnecting', error: { code: 'network' } });
  });
});

describe('the fetch transport', () => {
  it('asks for an event stream, and retries a request the network fails', async () => {
    const harness = new Harness({}, { transport: 'fetch' });
    const { tabcast } = harness.open();
    await harness.settle(10);
    const call = harness.browser.fetches.at(-1)!;
    expect(call.headers.accept).toBe('text/event-stream');
    call.fail();
    await harness.settle();
    expect(tabcast.status).toMatchObject({ phase: 'reconnecting', error: { code: 'network' } });
  });
});
