import { act, cleanup, render, screen } from '@testing-library/react';
import { useSelector } from '@xstate/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TabcastParseError } from '../../src/index.js';
import { TabcastProvider, useTabcast, useTabcastStatus, useTopic } from '../../src/react/index.js';
import { FakeBrowser } from '../fakes/index.js';
import { openTab, settle, theSource, topicsOf } from './support.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function Status() {
  const { phase, role } = useTabcastStatus((status) => ({
    phase: status.phase,
    role: status.role,
  }));
  return <p data-testid="status">{`${role} · ${phase}`}</p>;
}

describe('TabcastProvider and useTabcastStatus', () => {
  it('renders every status change of the tab', async () => {
    const browser = new FakeBrowser();
    const { tabcast } = openTab(browser);
    render(
      <TabcastProvider tabcast={tabcast}>
        <Status />
      </TabcastProvider>,
    );
    const status = () => screen.getByTestId('status').textContent;
    expect(status()).toBe('none · signedOut');
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 10);
    expect(status()).toBe('leader · idle'); // no topic yet: nothing to stream
    act(() => {
      tabcast.subscribe('news', { tick: () => {} });
    });
    await settle(browser, 100);
    expect(status()).toBe('leader · connecting');
    act(() => theSource(browser).open());
    expect(status()).toBe('leader · open');
    act(() => tabcast.logout());
    expect(status()).toBe('none · signedOut');
  });

  it('re-renders only when the selected part changes (shallow compare)', async () => {
    const browser = new FakeBrowser();
    const { tabcast } = openTab(browser);
    tabcast.subscribe('news', { tick: () => {} });
    tabcast.login({ userId: 'ada' });
    await browser.clock.advance(10);
    theSource(browser).open();
    let renders = 0;
    function Phase() {
      renders++;
      const { phase } = useTabcastStatus((status) => ({ phase: status.phase }));
      return <p>{phase}</p>;
    }
    render(
      <TabcastProvider tabcast={tabcast}>
        <Phase />
      </TabcastProvider>,
    );
    const before = renders;
    for (let id = 1; id <= 5; id++) {
      act(() => theSource(browser).emitEnvelope('tick', 'news', id, id));
      await settle(browser); // the relay runs on a task of its own
    }
    expect(tabcast.diagnostics().lastEventId).toBe('5');
    expect(renders).toBe(before);
  });

  it('returns the whole status without a selector', () => {
    const browser = new FakeBrowser();
    const { tabcast } = openTab(browser);
    let seen: unknown;
    function Whole() {
      seen = useTabcastStatus();
      return null;
    }
    render(
      <TabcastProvider tabcast={tabcast}>
        <Whole />
      </TabcastProvider>,
    );
    expect(seen).toBe(tabcast.status);
  });

  it('useTabcast gives the handle; hooks outside a provider say what is missing', () => {
    const browser = new FakeBrowser();
    const { tabcast } = openTab(browser);
    let seen: unknown;
    function Handle() {
      seen = useTabcast();
      return null;
    }
    render(
      <TabcastProvider tabcast={tabcast}>
        <Handle />
      </TabcastProvider>,
    );
    expect(seen).toBe(tabcast);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(<Handle />)).toThrow(
      'useTabcast() needs a <TabcastProvider tabcast={…}> above it',
    );
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '10'])(
    'rejects the grace delay %s with a clear error',
    (graceMs) => {
      const browser = new FakeBrowser();
      vi.spyOn(console, 'error').mockImplementation(() => {});
      expect(() =>
        render(<TabcastProvider tabcast={openTab(browser).tabcast} graceMs={graceMs as number} />),
      ).toThrow('`graceMs` must be a finite number >= 0');
    },
  );

  it("works with @xstate/react's useSelector on handle.actor directly", async () => {
    const browser = new FakeBrowser();
    const { tabcast } = openTab(browser);
    function Phase() {
      const phase = useSelector(tabcast.actor, (snapshot) => snapshot.context.status.phase);
      const session = useSelector(useTabcast().actor.system.get('session'), (snapshot) =>
        JSON.stringify((snapshot as { value?: unknown } | undefined)?.value),
      );
      return <p data-testid="phase">{`${phase} ${session}`}</p>;
    }
    render(
      <TabcastProvider tabcast={tabcast}>
        <Phase />
      </TabcastProvider>,
    );
    expect(screen.getByTestId('phase').textContent).toBe('signedOut "signedOut"');
    tabcast.subscribe('news', { tick: () => {} });
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 10);
    act(() => theSource(browser).open());
    expect(screen.getByTestId('phase').textContent).toBe('open {"signedIn":"active"}');
  });
});

describe('useTopic', () => {
  it('delivers the events of its topic to the latest handlers, subscribing once', async () => {
    const browser = new FakeBrowser();
    const { tabcast, subscriptionEvents } = openTab(browser);
    const subscribe = vi.spyOn(tabcast, 'subscribe');
    const seen: string[] = [];
    function News() {
      const [count, setCount] = useState(0);
      // New handler functions on every render, each closing over this render's `count`.
      useTopic('news', {
        tick: (data, meta) => {
          seen.push(`${data}@${meta.id} in render ${count}`);
          setCount((value) => value + 1);
        },
      });
      return <p data-testid="count">{count}</p>;
    }
    render(
      <TabcastProvider tabcast={tabcast}>
        <News />
      </TabcastProvider>,
    );
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 10);
    const source = theSource(browser);
    expect(topicsOf(source.url)).toBe('news');
    act(() => source.open());
    // One event a task, so each is handled after the render the one before caused.
    for (let id = 1; id <= 3; id++) {
      act(() => source.emitEnvelope('tick', 'news', `t${id}`, id));
      await settle(browser);
    }
    await settle(browser, 1_000);
    expect(screen.getByTestId('count').textContent).toBe('3');
    expect(seen).toEqual(['t1@1 in render 0', 't2@2 in render 1', 't3@3 in render 2']);
    expect(subscribe).toHaveBeenCalledTimes(1);
    expect(subscriptionEvents).toEqual(['add news']);
    expect(browser.eventSources).toHaveLength(1);
  });

  it('moves the subscription when the topic changes: one reconnect, old topic dropped', async () => {
    const browser = new FakeBrowser();
    const { tabcast, subscriptionEvents } = openTab(browser);
    const seen: string[] = [];
    function Results({ id }: { id: number }) {
      useTopic(`results:${id}`, { done: (data) => seen.push(`${id}:${data}`) });
      return null;
    }
    const view = render(
      <TabcastProvider tabcast={tabcast}>
        <Results id={1} />
      </TabcastProvider>,
    );
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 10);
    act(() => theSource(browser).open());
    view.rerender(
      <TabcastProvider tabcast={tabcast}>
        <Results id={2} />
      </TabcastProvider>,
    );
    // A new topic reconnects anyway, so the old one is not kept for its grace delay: one
    // reconnect carries both changes.
    expect(subscriptionEvents).toEqual(['add results:1', 'remove results:1', 'add results:2']);
    await settle(browser, 1_000);
    expect(browser.eventSources).toHaveLength(2);
    const source = theSource(browser);
    expect(topicsOf(source.url)).toBe('results:2');
    act(() => source.open());
    act(() => source.emitEnvelope('done', 'results:2', 'yes', 1));
    await settle(browser); // the relay runs on a task of its own
    expect(seen).toEqual(['2:yes']);
  });

  it('components of one topic each get the events, on one stream, the topic announced once', async () => {
    const browser = new FakeBrowser();
    const { tabcast, subscriptionEvents } = openTab(browser);
    const seen: string[] = [];
    function Ticker({ name }: { name: string }) {
      useTopic('news', { tick: (data) => seen.push(`${name}:${data}`) });
      return null;
    }
    const view = render(
      <TabcastProvider tabcast={tabcast}>
        <Ticker name="a" />
        <Ticker name="b" />
      </TabcastProvider>,
    );
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 10);
    act(() => theSource(browser).open());
    act(() => theSource(browser).emitEnvelope('tick', 'news', 1, 1));
    await settle(browser); // the relay runs on a task of its own
    expect(seen).toEqual(['a:1', 'b:1']);
    view.rerender(
      <TabcastProvider tabcast={tabcast}>
        <Ticker name="b" />
      </TabcastProvider>,
    );
    act(() => theSource(browser).emitEnvelope('tick', 'news', 2, 2)); // `a` is gone already
    await settle(browser, 1_000);
    expect(seen).toEqual(['a:1', 'b:1', 'b:2']);
    expect(subscriptionEvents).toEqual(['add news', 'add news', 'remove news']);
    const announced = browser
      .channelLog('tabcast:app:ada')
      .filter(({ data }) => (data as { type: string }).type === 'topics')
      .map(({ data }) => (data as { topics: string[] }).topics);
    expect(announced).toEqual([['news']]);
    expect(browser.eventSources).toHaveLength(1);
    view.unmount();
    await settle(browser, 1_000);
    expect(subscriptionEvents).toEqual(['add news', 'add news', 'remove news', 'remove news']);
  });

  it('keeps the subscription across a quick remount, so the stream is not reconnected', async () => {
    const browser = new FakeBrowser();
    const { tabcast, subscriptionEvents } = openTab(browser);
    function News() {
      useTopic('news', { tick: () => {} });
      return null;
    }
    const tree = (key: string) => (
      <TabcastProvider tabcast={tabcast}>
        <News key={key} />
      </TabcastProvider>
    );
    const view = render(tree('page-1'));
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 10);
    act(() => theSource(browser).open());
    view.rerender(tree('page-2')); // unmounts one News and mounts another
    await settle(browser, 1_000);
    // The new component subscribes before the old one's release: the topic never leaves.
    expect(subscriptionEvents).toEqual(['add news', 'add news', 'remove news']);
    expect(browser.eventSources).toHaveLength(1);
    expect(theSource(browser).readyState).toBe(1);
  });

  it('resubscribes when the set of event names changes, not when the functions do', async () => {
    const browser = new FakeBrowser();
    const { tabcast, subscriptionEvents } = openTab(browser);
    const seen: string[] = [];
    function News({ events }: { events: string[] }) {
      useTopic('news', Object.fromEntries(events.map((name) => [name, () => seen.push(name)])));
      return null;
    }
    const tree = (events: string[]) => (
      <TabcastProvider tabcast={tabcast}>
        <News events={events} />
      </TabcastProvider>
    );
    const view = render(tree(['tick', 'tock']));
    view.rerender(tree(['tock', 'tick']));
    expect(subscriptionEvents).toEqual(['add news']);
    view.rerender(tree(['tick']));
    expect(subscriptionEvents).toEqual(['add news', 'add news']);
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 1_000);
    expect(subscriptionEvents).toEqual(['add news', 'add news', 'remove news']);
    act(() => theSource(browser).open());
    act(() => theSource(browser).emitEnvelope('tick', 'news', 1, 1));
    await settle(browser); // the relay runs on a task of its own
    expect(seen).toEqual(['tick']);
  });

  it('a throwing handler does not keep the event from the other components', async () => {
    const browser = new FakeBrowser();
    const onError = vi.fn();
    const { tabcast } = openTab(browser, { onError });
    const seen: string[] = [];
    function Broken() {
      useTopic('news', {
        tick: () => {
          throw new Error('render bug');
        },
      });
      return null;
    }
    function Fine() {
      useTopic('news', { tick: (data) => seen.push(String(data)) });
      return null;
    }
    render(
      <TabcastProvider tabcast={tabcast}>
        <Broken />
        <Fine />
      </TabcastProvider>,
    );
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 10);
    act(() => theSource(browser).open());
    act(() => theSource(browser).emitEnvelope('tick', 'news', 1, 1));
    await settle(browser); // the relay runs on a task of its own
    expect(seen).toEqual(['1']);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('moves from one page to another with a different topic in one reconnect', async () => {
    const browser = new FakeBrowser();
    const { tabcast, subscriptionEvents } = openTab(browser);
    function Orders() {
      useTopic('orders', { placed: () => {} });
      return null;
    }
    function Chat() {
      useTopic('chat', { said: () => {} });
      return null;
    }
    const tree = (page: 'orders' | 'chat') => (
      <TabcastProvider tabcast={tabcast}>
        {page === 'orders' ? <Orders /> : <Chat />}
      </TabcastProvider>
    );
    const view = render(tree('orders'));
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 10);
    act(() => theSource(browser).open());
    view.rerender(tree('chat'));
    await settle(browser, 5_000);
    expect(subscriptionEvents).toEqual(['add orders', 'remove orders', 'add chat']);
    expect(browser.eventSources).toHaveLength(2);
    expect(topicsOf(theSource(browser).url)).toBe('chat');
  });

  it('releases the topic a grace delay after its component unmounts', async () => {
    const browser = new FakeBrowser();
    const { tabcast, subscriptionEvents } = openTab(browser);
    function News() {
      useTopic('news', { tick: () => {} });
      return null;
    }
    const view = render(
      <TabcastProvider tabcast={tabcast} graceMs={200}>
        <News />
      </TabcastProvider>,
    );
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 10);
    const timersWhileMounted = browser.clock.pendingTimers();
    view.unmount();
    await settle(browser, 199);
    expect(subscriptionEvents).toEqual(['add news']);
    await settle(browser, 1);
    expect(subscriptionEvents).toEqual(['add news', 'remove news']);
    // Nothing of React's is left behind; the handle lives on (the app owns it).
    await settle(browser, 100);
    expect(timersWhileMounted).toBeGreaterThan(0);
    // The last topic went, so the stream did: an idle leader arms no timer at all.
    expect(tabcast.status.phase).toBe('idle');
    expect(browser.eventSources.filter((source) => !source.closed)).toHaveLength(0);
    expect(browser.clock.pendingTimers()).toBe(0);
  });

  it('asks every component that mounts to resync once its topic is on an open stream', async () => {
    const browser = new FakeBrowser();
    const { tabcast } = openTab(browser);
    tabcast.login({ userId: 'ada' });
    const resyncs: string[] = [];
    function News({ page }: { page: string }) {
      useTopic('news', { tick: () => {} }, { resync: () => resyncs.push(page) });
      return null;
    }
    const tree = (page: string | null) => (
      <TabcastProvider tabcast={tabcast}>{page && <News key={page} page={page} />}</TabcastProvider>
    );
    const view = render(tree('first'));
    await settle(browser, 10);
    act(() => theSource(browser).open());
    expect(resyncs).toEqual(['first']); // first connect: nothing proves continuity
    view.rerender(tree(null));
    act(() => theSource(browser).emitEnvelope('tick', 'news', 1, 1)); // nobody listens
    view.rerender(tree('second'));
    await settle(browser);
    // A new component has no state, whether or not events went by: it is asked once.
    expect(resyncs).toEqual(['first', 'second']);
    view.rerender(tree('third'));
    await settle(browser);
    expect(resyncs).toEqual(['first', 'second', 'third']);
    act(() => theSource(browser).emitEnvelope('tick', 'news', 2, 2));
    await settle(browser, 5_000);
    expect(resyncs).toEqual(['first', 'second', 'third']);
  });

  it('hands parse errors to the error option, or to the handle when no component takes them', async () => {
    const browser = new FakeBrowser();
    const onError = vi.fn();
    const { tabcast } = openTab(browser, { onError });
    const errors: TabcastParseError[] = [];
    function News({ withError }: { withError: boolean }) {
      useTopic(
        'news',
        { tick: () => {} },
        withError ? { error: (error) => errors.push(error) } : {},
      );
      return null;
    }
    const tree = (withError: boolean) => (
      <TabcastProvider tabcast={tabcast}>
        <News withError={withError} />
      </TabcastProvider>
    );
    const view = render(tree(true));
    act(() => tabcast.login({ userId: 'ada' }));
    await settle(browser, 10);
    act(() => theSource(browser).open());
    act(() => theSource(browser).emit('tick', 'not json', { id: 1 }));
    await settle(browser); // the relay runs on a task of its own
    expect(errors.map((error) => error.code)).toEqual(['parse_error']);
    expect(onError).not.toHaveBeenCalled();
    view.rerender(tree(false));
    act(() => theSource(browser).emit('tick', 'not json either', { id: 2 }));
    await settle(browser); // the relay runs on a task of its own
    expect(errors).toHaveLength(1);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it("runs the grace delay on the handle's clock: the page timers by default (vi fake timers)", async () => {
    vi.useFakeTimers();
    const browser = new FakeBrowser();
    const { tabcast, subscriptionEvents } = openTab(browser, { platform: { clock: undefined } });
    function News() {
      useTopic('news', { tick: () => {} });
      return null;
    }
    const view = render(
      <TabcastProvider tabcast={tabcast}>
        <News />
      </TabcastProvider>,
    );
    view.unmount();
    vi.advanceTimersByTime(999);
    expect(subscriptionEvents).toEqual(['add news']);
    vi.advanceTimersByTime(1);
    expect(subscriptionEvents).toEqual(['add news', 'remove news']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
