/**
 * What both transports make of the wire: which messages are the companion's control events, how
 * a burst reaches the charts (one batch per task), and how a failed answer is read (content
 * type, charset, Retry-After).
 */
import { describe, expect, it } from 'vitest';
import type { SourceEvent } from '../../machines/events.js';
import {
  isEventStream,
  isUtf8,
  messageBatcher,
  parseRetryAfter,
  readSseMessage,
} from '../../src/transport/shared.js';

describe("the companion's control events", () => {
  it.each(['server_close', 'reset', 'force_logout', 'heartbeat'])(
    '%s is a control event',
    (type) => {
      expect(readSseMessage('tabcast', 'tabcast', JSON.stringify({ type }), '9')).toEqual({
        kind: 'control',
        control: type,
        reason: undefined,
        id: '9',
      });
    },
  );

  it('carries the reason a server gives, when it is a string', () => {
    const replaced = readSseMessage(
      'tabcast',
      'tabcast',
      '{"type":"server_close","reason":"replaced"}',
      null,
    );
    expect(replaced).toMatchObject({ control: 'server_close', reason: 'replaced' });
    const odd = readSseMessage('tabcast', 'tabcast', '{"type":"server_close","reason":5}', null);
    expect(odd).toMatchObject({ control: 'server_close', reason: undefined });
  });

  it.each([
    ['an unknown type', '{"type":"shutdown_soon"}'],
    ['no JSON', 'bye'],
    ['JSON that is no object', '5'],
    ['null', 'null'],
  ])('%s is only a sign of life (a newer server never breaks us)', (_name, data) => {
    expect(readSseMessage('tabcast', 'tabcast', data, null)).toEqual({ kind: 'life' });
  });

  it("is the application's own event on the plain wire, and any other name is too", () => {
    expect(readSseMessage('plain', 'tabcast', '{"type":"reset"}', '3')).toEqual({
      kind: 'message',
      message: { id: '3', event: 'tabcast', data: '{"type":"reset"}' },
    });
    expect(readSseMessage('tabcast', 'tick', '{"type":"reset"}', null)).toEqual({
      kind: 'message',
      message: { id: null, event: 'tick', data: '{"type":"reset"}' },
    });
  });
});

describe('a burst reaches the charts as one batch', () => {
  const message = (id: string) => ({
    kind: 'message' as const,
    message: { id, event: 'tick', data: id },
  });

  function batcher(withTasks: boolean) {
    const sent: SourceEvent[] = [];
    const tasks: (() => void)[] = [];
    const batch = messageBatcher(
      (event) => sent.push(event),
      () => 1_000,
      withTasks ? (run) => tasks.push(run) : undefined,
    );
    return { batch, sent, tasks };
  }

  it('sends what one chunk held when the transport flushes, and nothing for an empty flush', () => {
    const { batch, sent } = batcher(false);
    batch.read(message('1'));
    batch.read(message('2'));
    expect(sent).toEqual([]);
    batch.flush();
    batch.flush();
    expect(sent).toEqual([
      {
        type: 'source.messages',
        messages: [
          { id: '1', event: 'tick', data: '1' },
          { id: '2', event: 'tick', data: '2' },
        ],
        at: 1_000,
      },
    ]);
  });

  it("sends a task's first message at once and gathers the rest until the task ends", () => {
    const { batch, sent, tasks } = batcher(true);
    batch.read(message('1'));
    batch.read(message('2'));
    batch.read(message('3'));
    expect(
      sent.map((event) => event.type === 'source.messages' && event.messages.map((m) => m.id)),
    ).toEqual([['1']]);
    expect(tasks).toHaveLength(1);
    tasks.shift()!();
    batch.read(message('4'));
    expect(
      sent.map((event) => event.type === 'source.messages' && event.messages.map((m) => m.id)),
    ).toEqual([['1'], ['2', '3'], ['4']]);
    expect(tasks).toHaveLength(1);
  });

  it('sends the messages read before any other event first, in order', () => {
    const { batch, sent } = batcher(false);
    batch.read(message('1'));
    batch.read({ kind: 'control', control: 'reset', reason: 'gone', id: '5' });
    batch.read(message('2'));
    batch.read({ kind: 'life' });
    batch.read(message('3'));
    batch.alive();
    batch.read(message('4'));
    batch.send({ type: 'source.error' });
    expect(sent).toEqual([
      { type: 'source.messages', messages: [{ id: '1', event: 'tick', data: '1' }], at: 1_000 },
      { type: 'source.control', control: 'reset', reason: 'gone', id: '5', at: 1_000 },
      { type: 'source.messages', messages: [{ id: '2', event: 'tick', data: '2' }], at: 1_000 },
      { type: 'source.activity', at: 1_000 },
      { type: 'source.messages', messages: [{ id: '3', event: 'tick', data: '3' }], at: 1_000 },
      { type: 'source.activity', at: 1_000 },
      { type: 'source.messages', messages: [{ id: '4', event: 'tick', data: '4' }], at: 1_000 },
      { type: 'source.error' },
    ]);
  });

  it('sends nothing once the attempt is over, not even what was pending', () => {
    const { batch, sent, tasks } = batcher(true);
    batch.read(message('1'));
    batch.read(message('2'));
    batch.close();
    tasks.shift()!();
    batch.read(message('3'));
    batch.flush();
    batch.send({ type: 'source.error' });
    batch.alive();
    expect(sent).toHaveLength(1);
  });
});

describe('reading a failed answer', () => {
  const response = (contentType: string | null) => ({
    headers: { get: (name: string) => (name === 'content-type' ? contentType : null) },
  });

  it.each([
    ['text/event-stream', true],
    ['text/event-stream; charset=utf-8', true],
    ['Text/Event-Stream', true],
    [' text/event-stream ;x=1', true],
    ['text/plain', false],
    ['text/event-streams', false],
    [null, false],
  ])('%s is an event stream: %s', (type, expected) => {
    expect(isEventStream(response(type))).toBe(expected);
  });

  it.each([
    [null, true],
    ['text/event-stream', true],
    ['text/event-stream; charset=UTF-8', true],
    ['text/event-stream;charset="utf-8"', true],
    ['text/event-stream; charset = utf-8', true],
    ['text/event-stream; charset=iso-8859-1', false],
    ['text/event-stream; CHARSET="latin1"', false],
    ['text/event-stream;charset=latin1', false],
    ['text/event-stream; charset = latin1', false],
  ])('%s is UTF-8: %s', (type, expected) => {
    expect(isUtf8(response(type))).toBe(expected);
  });

  it('reads Retry-After in seconds or as an HTTP date, and nothing else', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('Infinity', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBe(0);
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
