import { describe, expect, it } from 'vitest';
import { TabcastError } from '../../src/errors.js';
import { assertEventName, assertTopic, MAX_NAME_LENGTH } from '../../src/names.js';

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
