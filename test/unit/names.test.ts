import { describe, expect, it } from 'vitest';
import { MAX_ENDPOINT_LENGTH } from '../../machines/protocol.js';
import { TabcastError } from '../../src/errors.js';
import { assertEventName, assertTopic, endpointOf, MAX_NAME_LENGTH } from '../../src/names.js';

describe('topic and event name validation', () => {
  it.each([
    ['CR', 'a\rb', 'CR or LF'],
    ['LF', 'a\nb', 'CR or LF'],
    ['a comma', 'a,b', 'comma'],
    ['too long', 'x'.repeat(MAX_NAME_LENGTH + 1), 'at most 128'],
    ['empty', '', 'empty'],
  ])('rejects a topic with %s', (_name, topic, reason) => {
    expect(() => assertTopic(topic)).toThrowError(TabcastError);
    expect(() => assertTopic(topic)).toThrowError(reason);
  });

  it('accepts a topic of exactly 128 characters', () => {
    expect(() => assertTopic('x'.repeat(MAX_NAME_LENGTH))).not.toThrow();
  });

  it('gives the error a code', () => {
    try {
      assertTopic(42);
      expect.unreachable();
    } catch (error) {
      expect((error as TabcastError).code).toBe('invalid_topic');
    }
  });

  it('reserves the control event name', () => {
    expect(() => assertEventName('tabcast')).toThrowError('reserved');
    expect(() => assertEventName('status-changed')).not.toThrow();
  });
});

describe('names the server never sees garbled', () => {
  it('says what is wrong with a topic that is not a string', () => {
    expect(() => assertTopic(42)).toThrowError('tabcast: topic must be a string');
  });

  it('checks event names as topics, and reserves `tabcast` only on the companion wire', () => {
    expect(() => assertEventName('a,b')).toThrowError(
      'tabcast: event name must not contain a comma',
    );
    expect(() => assertEventName('')).toThrowError(TabcastError);
    expect(() => assertEventName('tabcast')).toThrowError(
      "tabcast: event name 'tabcast' is reserved",
    );
    expect(() => assertEventName('tabcast', 'plain')).not.toThrow();
    expect(() => assertEventName('a\nb', 'plain')).toThrowError('CR or LF');
    try {
      assertEventName('tabcast');
      expect.unreachable();
    } catch (error) {
      expect((error as TabcastError).code).toBe('invalid_event_name');
    }
  });
});

describe('plain wire: a topic is an endpoint resolved against `url`', () => {
  it.each([
    ['/sse/', 'chat', '/sse/chat'],
    ['/sse/', '/other', '/other'],
    ['/sse/', 'chat?room=1', '/sse/chat?room=1'],
    ['/sse/', 'chat#latest', '/sse/chat'],
    ['https://api.test/sse/', 'chat', 'https://api.test/sse/chat'],
    ['/sse/', 'https://other.test/feed#x', 'https://other.test/feed'],
  ])('%s + %s is %s', (base, topic, endpoint) => {
    expect(endpointOf(base, topic)).toBe(endpoint);
  });

  it('takes an endpoint up to its longest length', () => {
    const longest = `/${'x'.repeat(MAX_ENDPOINT_LENGTH - 1)}`;
    expect(endpointOf('/', longest)).toBe(longest);
  });

  it.each([
    ['a number', 7, 'an endpoint must be a string of 1-16384 characters'],
    ['an empty string', '', 'an endpoint must be a string of 1-16384 characters'],
    ['too long', `/${'x'.repeat(MAX_ENDPOINT_LENGTH)}`, 'must be a string of 1-16384'],
    ['a CR', 'a\rb', 'tabcast: an endpoint must not contain CR or LF'],
    ['a LF', 'a\nb', 'tabcast: an endpoint must not contain CR or LF'],
    ['no URL', 'https://', 'tabcast: the endpoint is not a URL'],
  ])('refuses %s', (_name, topic, message) => {
    expect(() => endpointOf('/sse/', topic)).toThrowError(message);
    try {
      endpointOf('/sse/', topic);
    } catch (error) {
      expect((error as TabcastError).code).toBe('invalid_topic');
    }
  });
});
