/**
 * Options (STYLE 7): every option has its default, and every invalid value a clear error with
 * the code `invalid_option`, before anything starts.
 */
import { describe, expect, it } from 'vitest';
import { BACKOFF_DEFAULTS } from '../../machines/backoff.js';
import { TabcastError } from '../../src/errors.js';
import { resolveOptions, type TabcastOptions, TIMING_DEFAULTS } from '../../src/options.js';

const valid: TabcastOptions = { url: '/events', appKey: 'app' };
const resolve = (options: object) => resolveOptions({ ...valid, ...options } as TabcastOptions);

describe('the defaults', () => {
  it("are the companion's wire over native EventSource, resuming with ?lastEventId", () => {
    expect(resolveOptions(valid)).toEqual({
      url: '/events',
      appKey: 'app',
      wire: 'tabcast',
      transport: 'eventsource',
      withCredentials: false,
      backoff: BACKOFF_DEFAULTS,
      timing: TIMING_DEFAULTS,
      lastEventIdParam: 'lastEventId',
    });
  });

  it('send no resume parameter on the plain wire, and watch no stall of a native source there', () => {
    const plain = resolve({ wire: 'plain' });
    expect(plain.lastEventIdParam).toBeNull();
    expect(plain.timing).toEqual({ ...TIMING_DEFAULTS, stallTimeoutMs: 0 });
    expect(resolve({ wire: 'plain', transport: 'fetch' }).timing.stallTimeoutMs).toBe(
      TIMING_DEFAULTS.stallTimeoutMs,
    );
    expect(
      resolve({ wire: 'plain', timing: { stallTimeoutMs: 9_000 } }).timing.stallTimeoutMs,
    ).toBe(9_000);
  });

  it('take what is given', () => {
    const credentials = () => ({ authorization: 'Bearer x' });
    const resolved = resolve({
      wire: 'plain',
      transport: 'fetch',
      credentials,
      withCredentials: true,
      lastEventIdParam: 'since',
      backoff: { strategy: 'none', baseMs: 0 },
      timing: { connectTimeoutMs: 0, leaderTimeoutMs: 2_000 },
      tabId: 'x'.repeat(128),
      inspect: { next: () => {} },
      events: { tabcast: {}, 'order-placed': {} },
    });
    expect(resolved).toMatchObject({
      wire: 'plain',
      transport: 'fetch',
      withCredentials: true,
      lastEventIdParam: 'since',
      backoff: { ...BACKOFF_DEFAULTS, strategy: 'none', baseMs: 0 },
      timing: { ...TIMING_DEFAULTS, connectTimeoutMs: 0, leaderTimeoutMs: 2_000 },
    });
    expect(resolve({ lastEventIdParam: null }).lastEventIdParam).toBeNull();
    expect(resolve({ appKey: 'a'.repeat(128) }).appKey).toBe('a'.repeat(128));
    expect(resolve({ lastEventIdParam: `A-z_0.9${'x'.repeat(57)}` }).lastEventIdParam).toHaveLength(
      64,
    );
    for (const strategy of ['full', 'equal', 'decorrelated', 'none']) {
      expect(resolve({ backoff: { strategy } }).backoff.strategy).toBe(strategy);
    }
    expect(resolve({ backoff: { maxAttempts: 1 } }).backoff.maxAttempts).toBe(1);
  });
});

describe('an invalid option is refused with what is wrong', () => {
  it.each<[string, object, string]>([
    ['no object', { options: null }, 'tabcast: options must be an object'],
    ['a string', { options: '/events' }, 'tabcast: options must be an object'],
    ['a url that is no string', { url: 3 }, 'tabcast: `url` must be a non-empty string'],
    ['an empty url', { url: '' }, '`url` must be a non-empty string'],
    [
      'an appKey that is no string',
      { appKey: 7 },
      '`appKey` must be a non-empty string of at most 128',
    ],
    ['an empty appKey', { appKey: '' }, '`appKey` must be'],
    ['a long appKey', { appKey: 'a'.repeat(129) }, '`appKey` must be'],
    ['an appKey with a colon', { appKey: 'a:b' }, '`appKey` must be'],
    ['an appKey with a comma', { appKey: 'a,b' }, 'without CR, LF, comma or colon'],
    ['another wire', { wire: 'ws' }, "tabcast: `wire` must be 'tabcast' or 'plain'"],
    [
      'another transport',
      { transport: 'ws' },
      "tabcast: `transport` must be 'eventsource' or 'fetch'",
    ],
    [
      'credentials for EventSource',
      { credentials: () => ({}) },
      "`credentials` needs transport 'fetch'",
    ],
    [
      'credentials that are no function',
      { transport: 'fetch', credentials: {} },
      'tabcast: `credentials` must be a function',
    ],
    [
      'a refresh that is no function',
      { refreshCredentials: true },
      '`refreshCredentials` must be a function',
    ],
    ['an onError that is no function', { onError: 'log' }, '`onError` must be a function'],
    ['an inspect of null', { inspect: null }, '`inspect` must be a function'],
    ['an inspect that is a string', { inspect: 'x' }, '`inspect` must be a function'],
    [
      'another strategy',
      { backoff: { strategy: 'random' } },
      'tabcast: `backoff.strategy` must be one of full, equal, decorrelated, none',
    ],
    [
      'a negative base',
      { backoff: { baseMs: -1 } },
      'tabcast: `backoff.baseMs` must be a finite number >= 0',
    ],
    [
      'an endless cap',
      { backoff: { capMs: Number.POSITIVE_INFINITY } },
      '`backoff.capMs` must be a finite number >= 0',
    ],
    ['a base that is no number', { backoff: { baseMs: '5' } }, '`backoff.baseMs`'],
    ['a cap that is NaN', { backoff: { capMs: Number.NaN } }, '`backoff.capMs`'],
    [
      'no attempt',
      { backoff: { maxAttempts: 0 } },
      'tabcast: `backoff.maxAttempts` must be at least 1',
    ],
    ['attempts that are NaN', { backoff: { maxAttempts: Number.NaN } }, '`backoff.maxAttempts`'],
    [
      'a negative delay',
      { timing: { stallTimeoutMs: -1 } },
      'tabcast: `timing.stallTimeoutMs` must be a finite number >= 0',
    ],
    [
      'an endless delay',
      { timing: { connectTimeoutMs: Number.POSITIVE_INFINITY } },
      '`timing.connectTimeoutMs`',
    ],
    [
      'a delay that is NaN',
      { timing: { topicsDebounceMs: Number.NaN } },
      '`timing.topicsDebounceMs`',
    ],
    [
      'a leader timeout within a heartbeat',
      { timing: { leaderTimeoutMs: 1_000, heartbeatIntervalMs: 1_000 } },
      'tabcast: `timing.leaderTimeoutMs` must be longer than `timing.heartbeatIntervalMs`',
    ],
    [
      'a parameter with a space',
      { lastEventIdParam: 'a b' },
      'tabcast: `lastEventIdParam` must be null or 1-64 letters',
    ],
    ['an empty parameter', { lastEventIdParam: '' }, '`lastEventIdParam`'],
    ['a long parameter', { lastEventIdParam: 'x'.repeat(65) }, '`lastEventIdParam`'],
    [
      'a reserved event name',
      { events: { tabcast: {} } },
      "tabcast: `events`: event name 'tabcast' is reserved",
    ],
    [
      'an event name with a comma',
      { events: { 'a,b': {} } },
      'tabcast: `events`: event name must not contain a comma',
    ],
    [
      'a tabId that is no string',
      { tabId: 5 },
      'tabcast: `tabId` must be a non-empty string of at most 128 characters',
    ],
    ['an empty tabId', { tabId: '' }, '`tabId`'],
    ['a long tabId', { tabId: 'x'.repeat(129) }, '`tabId`'],
  ])('%s', (_name, options, message) => {
    const make = () =>
      'options' in options
        ? resolveOptions((options as { options: unknown }).options as TabcastOptions)
        : resolve(options);
    expect(make).toThrowError(message);
    try {
      make();
    } catch (error) {
      expect(error).toBeInstanceOf(TabcastError);
      expect((error as TabcastError).code).toBe('invalid_option');
    }
  });
});
