import { describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import {
  EVENT_SOURCE_RECONNECT_MS,
  FakeBrowser,
  FakeClock,
  type FakeLock,
  type FakeTab,
  flushMicrotasks,
  seededRandom,
  sseFrame,
} from '../fakes';

const START = 1_700_000_000_000;

/** Resolves when `release()` is called: a lock callback that holds the lock until then. */
function holdUntilReleased() {
  let release!: (value?: unknown) => void;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  return { held, release };
}

/** Records whether a promise settled, without letting a rejection go unhandled. */
function track(promise: Promise<unknown>) {
  const outcome: { settled: boolean; value?: unknown; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(outcome, { settled: true, value }),
    (error: unknown) => Object.assign(outcome, { settled: true, error }),
  );
  return outcome;
}

function locksOf(tab: FakeTab) {
  const locks = tab.platform.locks;
  if (!locks) throw new Error('locks are off');
  return locks;
}

describe('FakeClock', () => {
  it('starts at a fixed time, configurable', () => {
    expect(new FakeClock().now()).toBe(START);
    expect(new FakeClock({ start: 5 }).now()).toBe(5);
  });

  it('fires due timers in time order, with now() at each timer time, and ends at the target', async () => {
    const clock = new FakeClock({ start: 0 });
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push('late'), 31);
    await clock.advance(30);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.now()).toBe(30);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextTimerAt()).toBe(31);
  });

  it('fires timers scheduled during the advance, also from promise callbacks', async () => {
    const clock = new FakeClock({ start: 0 });
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 0);
      Promise.resolve()
        .then(() => undefined)
        .then(() => clock.setTimeout(() => fired.push(clock.now()), 5));
    }, 10);
    await clock.advance(15);
    expect(fired).toEqual([10, 10, 15]);
  });

  it('never fires a cleared timer', async () => {
    const clock = new FakeClock();
    let fired = false;
    const id = clock.setTimeout(() => {
      fired = true;
    }, 10);
    clock.clearTimeout(id);
    await clock.advance(100);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
    expect(clock.nextTimerAt()).toBeNull();
  });

  it('runAll fires everything and counts, but stops a self-rescheduling timer with a clear error', async () => {
    const clock = new FakeClock({ start: 0 });
    clock.setTimeout(() => clock.setTimeout(() => {}, 50), 50);
    expect(await clock.runAll()).toBe(2);
    expect(clock.now()).toBe(100);

    const tick = () => clock.setTimeout(tick, 1000);
    tick();
    await expect(clock.runAll(10)).rejects.toThrow(/more than 10 timers fired/);
  });

  it('refuses an advance while another one runs', async () => {
    const clock = new FakeClock();
    const first = clock.advance(10);
    await expect(clock.advance(10)).rejects.toThrow(/already running/);
    await first;
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
  });

  it("drives XState's after delays through a tab's clock, and a crash stops them", async () => {
    const browser = new FakeBrowser();
    const [steady, crashing] = [browser.openTab(), browser.openTab()];
    const machine = createMachine({
      initial: 'waiting',
      states: { waiting: { after: { 1000: 'done' } }, done: {} },
    });
    const actors = [steady, crashing].map((tab) =>
      createActor(machine, { clock: tab.platform.clock }).start(),
    );
    await browser.clock.advance(999);
    expect(actors.map((actor) => actor.getSnapshot().value)).toEqual(['waiting', 'waiting']);
    crashing.crash();
    await browser.clock.advance(1);
    expect(actors.map((actor) => actor.getSnapshot().value)).toEqual(['done', 'waiting']);
  });

  it('flushMicrotasks runs chained promise callbacks', async () => {
    let steps = 0;
    Promise.resolve()
      .then(() => steps++)
      .then(() => steps++)
      .then(() => steps++);
    await flushMicrotasks();
    expect(steps).toBe(3);
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return [random(), random(), random()];
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    for (const value of draw(7)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('gives each tab of a browser its own reproducible sequence', () => {
    const tabsOf = (seed: number) => {
      const browser = new FakeBrowser({ seed });
      return [browser.openTab().platform.random(), browser.openTab().platform.random()];
    };
    const [first, second] = tabsOf(9);
    expect(tabsOf(9)).toEqual([first, second]);
    expect(first).not.toBe(second);
  });
});

describe('FakeTab', () => {
  it('leaves out the features the browser turned off', () => {
    const platform = new FakeBrowser({
      locks: false,
      broadcastChannel: false,
      eventSource: false,
      fetch: false,
    }).openTab().platform;
    expect(platform.locks).toBeUndefined();
    expect(platform.BroadcastChannel).toBeUndefined();
    expect(platform.EventSource).toBeUndefined();
    expect(platform.fetch).toBeUndefined();
    expect(platform.now()).toBe(START);
  });

  it('never fires the timers of a crashed or closed tab, but keeps the others', async () => {
    const browser = new FakeBrowser();
    const [crashed, closed, alive] = [browser.openTab(), browser.openTab(), browser.openTab()];
    const fired: string[] = [];
    for (const tab of [crashed, closed, alive]) {
      tab.platform.clock.setTimeout(() => fired.push(tab.id), 100);
    }
    crashed.crash();
    await closed.close();
    expect(browser.clock.pendingTimers()).toBe(1);
    crashed.platform.clock.setTimeout(() => fired.push('after crash'), 10);
    await browser.clock.advance(200);
    expect(fired).toEqual([alive.id]);
    expect([crashed.alive, closed.alive, alive.alive]).toEqual([false, false, true]);
  });

  it('a tab cannot clear another tab’s timer', async () => {
    const browser = new FakeBrowser();
    const [owner, other] = [browser.openTab(), browser.openTab()];
    let fired = false;
    const id = owner.platform.clock.setTimeout(() => {
      fired = true;
    }, 10);
    other.platform.clock.clearTimeout(id);
    await browser.clock.advance(10);
    expect(fired).toBe(true);
  });

  it('close fires pagehide (not persisted) then hides the document; crash fires nothing', async () => {
    const browser = new FakeBrowser();
    const [closing, crashing] = [browser.openTab(), browser.openTab()];
    const heard: string[] = [];
    for (const tab of [closing, crashing]) {
      tab.platform.window.addEventListener('pagehide', (event) =>
        heard.push(`${tab.id} pagehide persisted=${(event as PageTransitionEvent).persisted}`),
      );
      tab.platform.document.addEventListener('visibilitychange', () =>
        heard.push(`${tab.id} ${tab.platform.document.visibilityState}`),
      );
    }
    await closing.close();
    crashing.crash();
    expect(heard).toEqual([`${closing.id} pagehide persisted=false`, `${closing.id} hidden`]);
    expect(() => crashing.setOnline(false)).toThrow(/already gone/);
    await expect(closing.close()).rejects.toThrow(/already gone/);
  });

  it('fires lifecycle events only when the state changes', () => {
    const tab = new FakeBrowser().openTab();
    const heard: string[] = [];
    for (const type of ['online', 'offline', 'pagehide', 'pageshow']) {
      tab.platform.window.addEventListener(type, (event) => heard.push(event.type));
    }
    tab.platform.document.addEventListener('visibilitychange', () =>
      heard.push(tab.platform.document.visibilityState),
    );
    tab.setOnline(true);
    tab.setOnline(false);
    tab.setOnline(false);
    tab.setOnline(true);
    tab.setHidden(true);
    tab.setHidden(true);
    tab.setHidden(false);
    tab.pagehide();
    tab.pageshow();
    expect(heard).toEqual(['offline', 'online', 'hidden', 'visible', 'pagehide', 'pageshow']);
    expect(tab.alive).toBe(true);
    expect(tab.online).toBe(true);
  });
});

describe('FakeLockManager', () => {
  it('grants an exclusive lock in request order, each after the previous holder releases', async () => {
    const browser = new FakeBrowser();
    const tabs = [browser.openTab(), browser.openTab(), browser.openTab()];
    const granted: string[] = [];
    const holds = tabs.map((tab) => {
      const hold = holdUntilReleased();
      const result = locksOf(tab).request('leader', {}, (lock) => {
        granted.push(`${tab.id}:${(lock as FakeLock).name}`);
        return hold.held.then(() => tab.id);
      });
      return { ...hold, result };
    });
    expect(granted).toEqual([]); // the callback never runs inside request()
    expect(browser.locks.held('leader')).toBe('tab-1');
    expect(browser.locks.queued('leader')).toBe(2);
    await flushMicrotasks();
    expect(granted).toEqual(['tab-1:leader']);

    holds[0]?.release();
    await expect(holds[0]?.result).resolves.toBe('tab-1');
    await flushMicrotasks();
    expect(granted).toEqual(['tab-1:leader', 'tab-2:leader']);
    expect(browser.locks.held('leader')).toBe('tab-2');
    expect(browser.locks.queued('leader')).toBe(1);
  });

  it('releases the lock of a closed holder, and of a crashed one without settling its request', async () => {
    const browser = new FakeBrowser();
    const [crashing, closing, waiting] = [browser.openTab(), browser.openTab(), browser.openTab()];
    const crashedRequest = track(
      locksOf(crashing).request('leader', {}, () => new Promise(() => {})),
    );
    locksOf(closing).request('leader', {}, () => new Promise(() => {}));
    let waiterGranted = false;
    locksOf(waiting).request('leader', {}, async () => {
      waiterGranted = true;
    });
    await flushMicrotasks();

    crashing.crash();
    expect(browser.locks.held('leader')).toBe(closing.id);
    await closing.close();
    await flushMicrotasks();
    expect(waiterGranted).toBe(true);
    expect(crashedRequest.settled).toBe(false);
  });

  it('drops the queued requests of a tab that goes away', async () => {
    const browser = new FakeBrowser();
    const [holder, queuedThenCrashed] = [browser.openTab(), browser.openTab()];
    locksOf(holder).request('leader', {}, () => new Promise(() => {}));
    let crashedTabGranted = false;
    const request = track(
      locksOf(queuedThenCrashed).request('leader', {}, async () => {
        crashedTabGranted = true;
      }),
    );
    expect(browser.locks.queued('leader')).toBe(1);
    queuedThenCrashed.crash();
    expect(browser.locks.queued('leader')).toBe(0);
    await holder.close();
    await flushMicrotasks();
    expect(crashedTabGranted).toBe(false);
    expect(request.settled).toBe(false);
    expect(browser.locks.held('leader')).toBeNull();
  });

  it('rejects with AbortError when the signal is already aborted or aborts while queued', async () => {
    const browser = new FakeBrowser();
    const [holder, waiter] = [browser.openTab(), browser.openTab()];
    const preAborted = new AbortController();
    preAborted.abort();
    await expect(
      locksOf(waiter).request('leader', { signal: preAborted.signal }, async () => {}),
    ).rejects.toMatchObject({ name: 'AbortError' });

    locksOf(holder).request('leader', {}, () => new Promise(() => {}));
    const leaving = new AbortController();
    let granted = false;
    const queued = locksOf(waiter).request('leader', { signal: leaving.signal }, async () => {
      granted = true;
    });
    expect(browser.locks.queued('leader')).toBe(1);
    leaving.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    expect(browser.locks.queued('leader')).toBe(0);
    await holder.close();
    await flushMicrotasks();
    expect(granted).toBe(false);
  });

  it('ignores an abort after the grant: the lock stays held until the callback settles', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const controller = new AbortController();
    const hold = holdUntilReleased();
    const request = locksOf(tab).request('leader', { signal: controller.signal }, () =>
      hold.held.then(() => 'done'),
    );
    await flushMicrotasks();
    controller.abort();
    await flushMicrotasks();
    expect(browser.locks.held('leader')).toBe(tab.id);
    hold.release();
    await expect(request).resolves.toBe('done');
    expect(browser.locks.held('leader')).toBeNull();
  });

  it('rejects signal with ifAvailable or steal with NotSupportedError, as the spec does', async () => {
    const locks = locksOf(new FakeBrowser().openTab());
    const { signal } = new AbortController();
    let called = false;
    const callback = async () => {
      called = true;
    };
    await expect(
      locks.request('leader', { signal, ifAvailable: true }, callback),
    ).rejects.toMatchObject({ name: 'NotSupportedError' });
    await expect(locks.request('leader', { signal, steal: true }, callback)).rejects.toMatchObject({
      name: 'NotSupportedError',
    });
    expect(called).toBe(false);
  });

  it('calls an ifAvailable request back with null while the lock is held', async () => {
    const browser = new FakeBrowser();
    const [holder, prober] = [browser.openTab(), browser.openTab()];
    const hold = holdUntilReleased();
    locksOf(holder).request('leader', {}, () => hold.held);
    const whileHeld = await locksOf(prober).request(
      'leader',
      { ifAvailable: true },
      (lock) => lock,
    );
    expect(whileHeld).toBeNull();
    hold.release();
    await flushMicrotasks();
    const whenFree = await locksOf(prober).request('leader', { ifAvailable: true }, (lock) => lock);
    expect(whenFree).toEqual({ name: 'leader', mode: 'exclusive' });
  });

  it('releases the lock and rejects the request when the callback throws', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    await expect(
      locksOf(tab).request('leader', {}, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(browser.locks.held('leader')).toBeNull();
  });
});

describe('FakeBroadcastChannel', () => {
  it('delivers a clone to every other open channel of the name, as a 0 ms task on the clock', async () => {
    const browser = new FakeBrowser();
    const [sender, receiver, closedReceiver, otherName] = [1, 2, 3, 4].map(() => browser.openTab());
    const received: Record<string, unknown[]> = {};
    const open = (tab: FakeTab | undefined, name: string) => {
      const channel = new tab!.platform.BroadcastChannel!(name);
      channel.onmessage = (event) => {
        received[tab!.id] = [...(received[tab!.id] ?? []), event.data];
      };
      return channel;
    };
    const sending = open(sender, 'scope');
    open(receiver, 'scope');
    open(closedReceiver, 'scope').close();
    open(otherName, 'another');

    const message = { kind: 'event', nested: { id: 1 } };
    sending.postMessage(message);
    message.nested.id = 2;
    expect(received).toEqual({}); // not synchronous
    await flushMicrotasks();
    expect(received).toEqual({}); // not a microtask either: it waits for the clock
    await browser.clock.advance(0);

    expect(received).toEqual({ [receiver!.id]: [{ kind: 'event', nested: { id: 1 } }] });
    expect(received[receiver!.id]?.[0]).not.toBe(message);
    expect(browser.channelLog('scope')).toEqual([
      { from: sender!.id, data: { kind: 'event', nested: { id: 1 } }, at: START },
    ]);
  });

  it('gives each receiver its own clone, so one receiver cannot change what another gets', async () => {
    const browser = new FakeBrowser();
    const [sender, first, second] = [browser.openTab(), browser.openTab(), browser.openTab()];
    const heard: { id: number }[] = [];
    for (const tab of [first, second]) {
      const channel = new tab.platform.BroadcastChannel!('scope');
      channel.onmessage = (event) => {
        heard.push(event.data);
        event.data.id = 99;
      };
    }
    new sender.platform.BroadcastChannel!('scope').postMessage({ id: 1 });
    await browser.clock.advance(0);
    expect(heard).toHaveLength(2);
    expect(heard[0]).not.toBe(heard[1]);
    expect(browser.channelLog('scope')[0]?.data).toEqual({ id: 1 });
  });

  it('keeps the posting order and delivers to another channel of the same tab', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const Channel = tab.platform.BroadcastChannel!;
    const [first, second] = [new Channel('scope'), new Channel('scope')];
    const heard: unknown[] = [];
    second.onmessage = (event) => heard.push(event.data);
    for (const n of [1, 2, 3]) first.postMessage(n);
    await browser.clock.advance(0);
    expect(heard).toEqual([1, 2, 3]);
  });

  it('does not deliver to a tab that crashed before the task ran, and drops posts from gone tabs', async () => {
    const browser = new FakeBrowser();
    const [sender, receiver] = [browser.openTab(), browser.openTab()];
    const sending = new sender.platform.BroadcastChannel!('scope');
    const receiving = new receiver.platform.BroadcastChannel!('scope');
    let heard = 0;
    receiving.onmessage = () => heard++;
    sending.postMessage('first');
    receiver.crash();
    await browser.clock.advance(0);
    expect(heard).toBe(0);

    sender.crash();
    sending.postMessage('from the grave');
    expect(browser.channelLog('scope')).toHaveLength(1);
  });

  it('throws InvalidStateError when the page posts on a channel it closed', () => {
    const tab = new FakeBrowser().openTab();
    const channel = new tab.platform.BroadcastChannel!('scope');
    channel.close();
    expect(() => channel.postMessage('late')).toThrow(
      expect.objectContaining({ name: 'InvalidStateError' }),
    );
  });

  it('postRaw reaches every open channel and is logged without a sender', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const channel = new tab.platform.BroadcastChannel!('scope');
    const heard: unknown[] = [];
    channel.onmessage = (event) => heard.push(event.data);
    browser.postRaw('scope', 'garbage');
    await browser.clock.advance(0);
    expect(heard).toEqual(['garbage']);
    expect(browser.channelLog('scope')).toEqual([{ from: null, data: 'garbage', at: START }]);
  });
});

describe('FakeEventSource', () => {
  it('records its request and dispatches named events, message events and the last id', () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const source = new tab.platform.EventSource!('/events?topics=a', { withCredentials: true });
    expect(browser.eventSources).toEqual([source]);
    expect(source).toMatchObject({
      url: '/events?topics=a',
      withCredentials: true,
      readyState: 0,
      tabId: tab.id,
    });

    const heard: string[] = [];
    source.onopen = () => heard.push('open');
    source.onmessage = (event) => heard.push(`onmessage ${event.data} ${event.lastEventId}`);
    const onStatus = (event: MessageEvent) =>
      heard.push(`status ${event.data} ${event.lastEventId}`);
    source.addEventListener('status-changed', onStatus);
    source.open();
    expect(source.readyState).toBe(1);
    source.emit('status-changed', 'x', { id: '7' });
    source.emit('message', 'y');
    source.removeEventListener('status-changed', onStatus);
    source.emit('status-changed', 'z');
    expect(heard).toEqual(['open', 'status x 7', 'onmessage y 7']);
  });

  it('emitEnvelope sends the wire envelope', () => {
    const tab = new FakeBrowser().openTab();
    const source = new tab.platform.EventSource!('/events');
    const data: unknown[] = [];
    source.addEventListener('status-changed', (event) => data.push(JSON.parse(event.data)));
    source.open();
    source.emitEnvelope('status-changed', 'results:42', { state: 'done' }, 42);
    expect(data).toEqual([{ topic: 'results:42', data: { state: 'done' } }]);
    expect(source.lastEventId).toBe('42');
  });

  it('reconnects on its own when the page leaves a dropped source open', async () => {
    const browser = new FakeBrowser();
    const source = new (browser.openTab().platform.EventSource!)('/events');
    let errors = 0;
    let opens = 0;
    source.onerror = () => errors++;
    source.onopen = () => opens++;
    source.open();
    source.drop();
    expect(source.readyState).toBe(0);
    expect(errors).toBe(1);
    await browser.clock.advance(EVENT_SOURCE_RECONNECT_MS - 1);
    expect(source.autoReconnects).toBe(0);
    await browser.clock.advance(1);
    expect(source.autoReconnects).toBe(1);
    expect(source.readyState).toBe(1);
    expect(opens).toBe(2);
  });

  it('does not reconnect when the page closes it on error', async () => {
    const browser = new FakeBrowser();
    const source = new (browser.openTab().platform.EventSource!)('/events');
    source.onerror = () => source.close();
    source.open();
    source.drop();
    expect(browser.openStreams()).toBe(0);
    await browser.clock.advance(EVENT_SOURCE_RECONNECT_MS * 2);
    expect(source.autoReconnects).toBe(0);
    expect(source.closed).toBe(true);
    expect(() => source.emit('message', 'to nobody')).toThrow(/closed by the page/);
  });

  it('fail() closes it for good without a reconnect', async () => {
    const browser = new FakeBrowser();
    const source = new (browser.openTab().platform.EventSource!)('/events');
    let errors = 0;
    source.onerror = () => errors++;
    source.fail();
    await browser.clock.advance(EVENT_SOURCE_RECONNECT_MS * 2);
    expect([source.readyState, errors, source.autoReconnects, source.closed]).toEqual([
      2,
      1,
      0,
      false,
    ]);
    expect(browser.openStreams()).toBe(0);
  });

  it('a crashed tab’s sources close silently and never reconnect', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const source = new tab.platform.EventSource!('/events');
    let errors = 0;
    source.onerror = () => errors++;
    source.open();
    source.drop();
    tab.crash();
    await browser.clock.advance(EVENT_SOURCE_RECONNECT_MS);
    expect([source.closed, source.autoReconnects, errors]).toEqual([true, 0, 1]);
    expect(browser.openStreams()).toBe(0);
  });
});

describe('fake fetch', () => {
  it('records the request with lower-cased headers and streams the body chunk by chunk', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const responsePromise = tab.platform.fetch!('/events?topics=a', {
      headers: { Authorization: 'Bearer t', 'Last-Event-ID': '41' },
    });
    const call = browser.fetches[0]!;
    expect(call).toMatchObject({ url: '/events?topics=a', method: 'GET', tabId: tab.id });
    expect(call.headers).toEqual({ authorization: 'Bearer t', 'last-event-id': '41' });
    expect(browser.openStreams()).toBe(1);

    call.respond(200, { 'Content-Type': 'text/event-stream' });
    const response = await responsePromise;
    expect([response.ok, response.status, response.headers.get('content-type')]).toEqual([
      true,
      200,
      'text/event-stream',
    ]);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    call.write(': hb\n\n');
    expect(await reader.read()).toEqual({ done: false, value: ': hb\n\n' });
    call.emitEnvelope('status-changed', 'results:42', 1, 42);
    expect((await reader.read()).value).toBe(
      'id: 42\nevent: status-changed\ndata: {"topic":"results:42","data":1}\n\n',
    );
    call.end();
    expect((await reader.read()).done).toBe(true);
    expect(browser.openStreams()).toBe(0);
    expect(() => call.write('late')).toThrow(/finished/);
  });

  it('rejects a pending fetch with AbortError when its signal aborts', async () => {
    const browser = new FakeBrowser();
    const controller = new AbortController();
    const response = browser.openTab().platform.fetch!('/events', { signal: controller.signal });
    controller.abort();
    await expect(response).rejects.toMatchObject({ name: 'AbortError' });
    expect(browser.fetches[0]?.aborted).toBe(true);
    expect(browser.openStreams()).toBe(0);
  });

  it('errors a streaming body with AbortError when its signal aborts', async () => {
    const browser = new FakeBrowser();
    const controller = new AbortController();
    const pending = browser.openTab().platform.fetch!('/events', { signal: controller.signal });
    browser.fetches[0]!.respond(200);
    const reader = (await pending).body!.getReader();
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    expect(browser.fetches[0]?.aborted).toBe(true);
  });

  it('fail() rejects before a response and errors the body after one', async () => {
    const browser = new FakeBrowser();
    const fetch = browser.openTab().platform.fetch!;
    const refused = fetch('/events');
    browser.fetches[0]!.fail();
    await expect(refused).rejects.toThrow(TypeError);

    const cut = fetch('/events');
    browser.fetches[1]!.respond(200);
    const reader = (await cut).body!.getReader();
    browser.fetches[1]!.fail(new Error('reset'));
    await expect(reader.read()).rejects.toThrow('reset');
  });

  it('answers an error status with a readable body and a 204 without one', async () => {
    const browser = new FakeBrowser();
    const fetch = browser.openTab().platform.fetch!;
    const limited = fetch('/events');
    const call = browser.fetches[0]!;
    call.respond(429, { 'content-type': 'application/json', 'retry-after': '5' });
    call.write('{"error":"rate_limited"}');
    call.end();
    const response = await limited;
    expect([response.ok, response.headers.get('Retry-After')]).toEqual([false, '5']);
    expect(await response.json()).toEqual({ error: 'rate_limited' });

    const stopped = fetch('/events');
    browser.fetches[1]!.respond(204);
    expect((await stopped).body).toBeNull();
    expect(browser.fetches[1]?.active).toBe(false);
  });

  it('leaves a crashed tab’s fetch unsettled and no longer counts it', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const response = track(tab.platform.fetch!('/events'));
    tab.crash();
    expect(browser.openStreams()).toBe(0);
    expect(() => browser.fetches[0]!.respond(200)).toThrow(/finished/);
    await flushMicrotasks();
    expect(response.settled).toBe(false);
  });
});

describe('sseFrame', () => {
  it('writes one frame per the SSE format, a line of data per line', () => {
    expect(sseFrame({ id: 1, event: 'e', data: 'a\nb' })).toBe(
      'id: 1\nevent: e\ndata: a\ndata: b\n\n',
    );
    expect(sseFrame({ retry: 3000 })).toBe('retry: 3000\n\n');
  });
});
