/**
 * The handle `createTabcast` returns, called wrongly or late: each refusal says what is wrong
 * (with its code), and what reaches no subscription is reported, never thrown.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TabcastError, type TabcastParseError } from '../../src/index.js';
import { Harness } from '../support/harness.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The error `run` throws, which must be a `TabcastError`. */
function thrownBy(run: () => unknown): TabcastError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TabcastError);
    return error as TabcastError;
  }
  throw new Error('expected a throw');
}

describe('calls the handle refuses', () => {
  it('a login without a usable user id', () => {
    const { tabcast } = new Harness().open({ userId: null });
    for (const user of [null, 'ada', undefined]) {
      const error = thrownBy(() => tabcast.login(user as never));
      expect([error.code, error.message]).toEqual([
        'invalid_option',
        'tabcast: login needs { userId }',
      ]);
    }
    for (const userId of ['', 'x'.repeat(257), 7]) {
      const error = thrownBy(() => tabcast.login({ userId: userId as string }));
      expect([error.code, error.message]).toEqual([
        'invalid_option',
        'tabcast: `userId` must be a string of 1-256 characters',
      ]);
    }
    tabcast.login({ userId: 'x'.repeat(256) });
    expect(tabcast.status.userId).toBe('x'.repeat(256));
  });

  it('a subscription without handlers, with one that is no function, or for a bad name', () => {
    const { tabcast } = new Harness().open();
    const noHandlers = thrownBy(() => tabcast.subscribe('news', null as never));
    expect([noHandlers.code, noHandlers.message]).toEqual([
      'invalid_option',
      'tabcast: subscribe needs an object of handlers',
    ]);
    const notFunction = thrownBy(() => tabcast.subscribe('news', { tick: 'render' as never }));
    expect([notFunction.code, notFunction.message]).toEqual([
      'invalid_option',
      "tabcast: the handler for 'tick' must be a function",
    ]);
    expect(thrownBy(() => tabcast.subscribe('a,b', {})).code).toBe('invalid_topic');
    expect(thrownBy(() => tabcast.subscribe('news', { tabcast: () => {} })).code).toBe(
      'invalid_event_name',
    );
  });

  it('every call once disposed; disposing again and unsubscribing then are harmless', async () => {
    const warn = vi.spyOn(console, 'warn');
    const harness = new Harness();
    const { tabcast, unsubscribe } = harness.open();
    tabcast.dispose();
    tabcast.dispose();
    // Not even a word on the console.
    expect(warn).not.toHaveBeenCalled();
    unsubscribe[0]!();
    for (const call of [
      () => tabcast.login({ userId: 'ada' }),
      () => tabcast.logout(),
      () => tabcast.subscribe('news', {}),
      () => tabcast.retry(),
    ]) {
      const error = thrownBy(call);
      expect([error.code, error.message]).toEqual([
        'disposed',
        'tabcast: this instance was disposed',
      ]);
    }
    await harness.settle(100);
    expect(harness.openSources()).toHaveLength(0);
  });
});

describe('what the handle gives back', () => {
  it('the function onStatus returns stops the listener', async () => {
    const harness = new Harness();
    const { tabcast } = harness.open();
    const seen: string[] = [];
    const stop = tabcast.onStatus((status) => seen.push(status.phase));
    await harness.settle(10);
    expect(seen).not.toEqual([]);
    const heard = seen.length;
    stop();
    harness.theSource().open();
    await harness.settle();
    expect(tabcast.status.phase).toBe('open');
    expect(seen).toHaveLength(heard);
  });

  it('an unsubscribe called twice ends its own subscription only, not a newer one of the topic', async () => {
    const harness = new Harness();
    const { tabcast, unsubscribe, delivered } = harness.open();
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    unsubscribe[0]!();
    const again: unknown[] = [];
    tabcast.subscribe('news', { tick: (data) => again.push(data) });
    unsubscribe[0]!();
    await harness.settle(100);
    harness.theSource().emitEnvelope('tick', 'news', 'still heard', 1);
    await harness.settle();
    expect(again).toEqual(['still heard']);
    expect(delivered).toEqual([]);
  });
});

describe('what no subscription takes is reported', () => {
  async function openStream(harness: Harness) {
    await harness.settle(10);
    harness.theSource().open();
    await harness.settle();
    return harness.theSource();
  }

  it('by default as a console warning that names the event and id, never the data', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const harness = new Harness();
    harness.open();
    const source = await openStream(harness);
    source.emit('tick', 'secret', { id: 9 });
    await harness.settle();
    expect(warn).toHaveBeenCalledWith("tabcast: parse_error for event 'tick' (id 9)");
    harness.tabs[0]!.tabcast.onStatus(() => {
      throw new Error('app bug');
    });
    source.drop();
    await harness.settle();
    expect(warn).toHaveBeenLastCalledWith('tabcast: the status callback threw');
  });

  it('with no id, as `id none`', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const harness = new Harness();
    harness.open();
    const source = await openStream(harness);
    source.emit('tick', 'not json');
    await harness.settle();
    expect(warn).toHaveBeenCalledWith("tabcast: parse_error for event 'tick' (id none)");
  });

  it('not when a subscription of the event takes it with its error callback', async () => {
    const reported: TabcastError[] = [];
    const harness = new Harness({}, { onError: (error) => reported.push(error) });
    const { tabcast } = harness.open({ topics: [] });
    const errors: TabcastParseError[] = [];
    const other: unknown[] = [];
    tabcast.subscribe('news', { tick: () => {} }, { error: (error) => errors.push(error) });
    // Another event name, with no error callback: the broken tick is not its business.
    tabcast.subscribe('chat', { said: (data) => other.push(data) });
    const source = await openStream(harness);
    source.emit('tick', 'not an envelope', { id: 4 });
    await harness.settle();
    expect(errors.map((error) => [error.message, error.event, error.id])).toEqual([
      ['tabcast: event data is not JSON', 'tick', '4'],
    ]);
    expect(reported).toEqual([]);
    expect(other).toEqual([]);
  });

  it('not to a subscription of another event name, even one with an error callback', async () => {
    const harness = new Harness({}, { onError: () => {} });
    const { tabcast } = harness.open({ topics: [] });
    const errors: string[] = [];
    tabcast.subscribe('news', { tick: () => {} }, { error: () => errors.push('news') });
    tabcast.subscribe('chat', { said: () => {} }, { error: () => errors.push('chat') });
    const source = await openStream(harness);
    source.emit('tick', 'not an envelope');
    await harness.settle();
    expect(errors).toEqual(['news']);
  });

  it('a resync or error callback that throws, as that callback', async () => {
    const reported: TabcastError[] = [];
    const harness = new Harness({}, { onError: (error) => reported.push(error) });
    const { tabcast } = harness.open({ topics: [] });
    const fail = () => {
      throw new Error('app bug');
    };
    tabcast.subscribe('news', { tick: () => {} }, { resync: fail, error: fail });
    const source = await openStream(harness);
    source.emit('tick', 'not an envelope');
    await harness.settle();
    expect(reported.map((error) => [error.code, error.message])).toEqual([
      ['handler_error', 'tabcast: the resync callback threw'],
      ['handler_error', 'tabcast: the error callback threw'],
    ]);
  });

  it("a parse that throws, as the event's parse error with the cause", async () => {
    const reported: TabcastError[] = [];
    const cause = new Error('bad order');
    const harness = new Harness(
      {},
      {
        onError: (error) => reported.push(error),
        events: {
          tick: {
            parse: () => {
              throw cause;
            },
          },
        },
      },
    );
    const { delivered } = harness.open();
    const source = await openStream(harness);
    source.emitEnvelope('tick', 'news', { n: 1 }, 3);
    await harness.settle();
    expect(delivered).toEqual([]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({
      code: 'parse_error',
      message: "tabcast: parse failed for event 'tick'",
      event: 'tick',
      id: '3',
      cause,
    });
  });
});
