import { describe, expect, it } from 'vitest';
import { createHub, HUB_DEFAULTS, type HubOptions } from '../../src/server';
import { parseTopicList } from '../../src/server/validate';

const authorize = () => 'alice';

describe('createHub options', () => {
  it('documents a default for every option but authorize', () => {
    expect(HUB_DEFAULTS).toMatchObject({
      topicPattern: /^[A-Za-z0-9_.:\-/]+$/,
      maxTopicLength: 128,
      maxTopics: 32,
      replayBufferSize: 1000,
      lastEventIdParam: 'lastEventId',
      heartbeatMs: 15_000,
      retryMs: 2_000,
      maxBufferedBytes: 1024 * 1024,
      maxStreams: Number.POSITIVE_INFINITY,
      retryAfterSeconds: 5,
      logger: console,
    });
    expect(Object.isFrozen(HUB_DEFAULTS)).toBe(true);
  });

  it('requires authorize', () => {
    expect(() => createHub({} as HubOptions<unknown>)).toThrow(
      new TypeError('createHub: option "authorize" is required: (req) => user | null'),
    );
  });

  it.each<[string, Partial<HubOptions<unknown>>, RegExp]>([
    [
      'heartbeatMs',
      { heartbeatMs: 0 },
      /"heartbeatMs" must be an integer from 1 to 2147483647, got 0/,
    ],
    ['heartbeatMs', { heartbeatMs: 2 ** 31 }, /"heartbeatMs" must be an integer from 1/],
    ['retryMs', { retryMs: -1 }, /"retryMs" must be an integer from 0/],
    ['maxTopics', { maxTopics: 1.5 }, /"maxTopics" must be an integer >= 1, got 1.5/],
    ['maxTopicLength', { maxTopicLength: Number.NaN }, /"maxTopicLength" must be an integer >= 1/],
    ['replayBufferSize', { replayBufferSize: -1 }, /"replayBufferSize" must be an integer >= 0/],
    ['maxBufferedBytes', { maxBufferedBytes: '1mb' as never }, /"maxBufferedBytes".*got "1mb"/],
    ['maxStreams', { maxStreams: 0 }, /"maxStreams" must be an integer >= 1 or Infinity/],
    ['retryAfterSeconds', { retryAfterSeconds: 0.5 }, /"retryAfterSeconds" must be an integer/],
    ['topicPattern', { topicPattern: '^a$' as never }, /"topicPattern" must be a RegExp/],
    ['topicPattern', { topicPattern: /^a$/g }, /"topicPattern" must not use the g or y flag/],
    ['lastEventIdParam', { lastEventIdParam: '' }, /"lastEventIdParam" must be a non-empty string/],
    ['userKey', { userKey: 'id' as never }, /"userKey" must be a function/],
    ['allowTopic', { allowTopic: true as never }, /"allowTopic" must be a function/],
    ['onConnect', { onConnect: {} as never }, /"onConnect" must be a function, got an object/],
    [
      'logger',
      { logger: {} as never },
      /"logger" must be an object with an error\(message\) method/,
    ],
    ['an unknown option', { heartbeatMS: 10 } as never, /unknown option "heartbeatMS"/],
  ])('throws a TypeError naming %s', (_, options, message) => {
    expect(() => createHub({ authorize, ...options })).toThrow(TypeError);
    expect(() => createHub({ authorize, ...options })).toThrow(message);
  });

  it('treats an option given as undefined as not given', () => {
    expect(() => createHub({ authorize, heartbeatMs: undefined, maxStreams: 5 })).not.toThrow();
  });
});

describe('publish', () => {
  const hub = createHub({ authorize, topicPattern: /^[a-z:]+$/, maxTopicLength: 8 });

  it.each<[string, string, string, RegExp]>([
    ['an event name with LF', 'a', 'x\nid:1', /eventName "x\\nid:1" contains CR, LF/],
    ['an event name with CR', 'a', 'x\r', /eventName "x\\r" contains CR, LF/],
    ['an empty event name', 'a', '', /eventName "" is empty/],
    ['the reserved event name', 'a', 'tabcast', /"tabcast" is reserved/],
    ['an event name outside the pattern', 'a', 'Status', /eventName "Status" does not match/],
    ['a too long event name', 'a', 'abcdefghi', /longer than 8 characters/],
    ['a topic with a comma', 'a,b', 'x', /topic "a,b" contains CR, LF or a comma/],
    ['a topic outside the pattern', 'a b', 'x', /topic "a b" does not match/],
  ])('throws a TypeError for %s', (_, topic, eventName, message) => {
    expect(() => hub.publish(topic, eventName, null)).toThrow(TypeError);
    expect(() => hub.publish(topic, eventName, null)).toThrow(message);
  });

  it('throws a TypeError for a non-string name and for data with no JSON form', () => {
    expect(() => hub.publish(42 as never, 'x', null)).toThrow(/topic must be a string, got number/);
    expect(() => hub.publish('a', 'x', undefined)).toThrow(/data must be a JSON value/);
    expect(() => hub.publish('a', 'x', () => {})).toThrow(/data must be a JSON value/);
    expect(() => hub.publish('a', 'x', 1n)).toThrow(/data is not JSON-serializable/);
  });

  it('takes no id for a publish that failed', () => {
    const before = Number(hub.publish('a', 'x', null));
    expect(() => hub.publish('a', 'x', 1n)).toThrow(TypeError);

    expect(Number(hub.publish('a', 'x', null))).toBe(before + 1);
  });
});

describe('parseTopicList', () => {
  const rules = { pattern: HUB_DEFAULTS.topicPattern, maxLength: 5, maxTopics: 3 };

  it('splits, keeps request order and removes duplicates', () => {
    expect(parseTopicList('b,a,b', rules)).toEqual({ topics: ['b', 'a'] });
  });

  it('counts topics after removing duplicates', () => {
    expect(parseTopicList('a,a,a,a,b,c', rules)).toEqual({ topics: ['a', 'b', 'c'] });
    expect(parseTopicList('a,b,c,d', rules)).toEqual({ problem: 'too many topics: 4 (at most 3)' });
  });

  it('shortens a long topic quoted in a reason', () => {
    const long = `${'x'.repeat(10_000)} `;

    const result = parseTopicList(long, { ...rules, maxLength: 20_000 });

    expect(result).toEqual({ problem: expect.stringMatching(/^topic "x{40}…" does not match/) });
  });
});
