import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  deliveryKey,
  emptyLedger,
  moveResumePoint,
  RECENT_ID_LIMIT,
  recordDelivery,
} from '../../machines/delivery.js';

/** A `tick` event of `id`, with data that says which. */
const tick = (id: string, data = `data of ${id}`) => ({ id, event: 'tick', data });

describe('recordDelivery', () => {
  it('tells a replay (same id, same event) from a new event that reuses an id', () => {
    const first = recordDelivery(emptyLedger(), tick('1', 'one'))!;
    expect(recordDelivery(first, tick('1', 'one'))).toBeNull();
    expect(recordDelivery(first, tick('1', 'another one'))).not.toBeNull();
    expect(recordDelivery(first, { id: '1', event: 'tock', data: 'one' })).not.toBeNull();
  });

  it('drops an id delivered already and moves lastEventId on', () => {
    const first = recordDelivery(emptyLedger(), tick('1'))!;
    expect(first.lastEventId).toBe('1');
    expect(recordDelivery(first, tick('1'))).toBeNull();
    expect(recordDelivery(first, tick('2'))?.lastEventId).toBe('2');
  });

  it('keeps the highest decimal id as the resume point (sticky values arrive with older ids)', () => {
    const ledger = recordDelivery(
      recordDelivery(emptyLedger(), tick('1700000000000010'))!,
      tick('1700000000000002'),
    )!;
    expect(ledger.lastEventId).toBe('1700000000000010');
    expect(recordDelivery(ledger, tick('1700000000000011'))!.lastEventId).toBe('1700000000000011');
    expect(recordDelivery(ledger, tick('999'))!.lastEventId).toBe('1700000000000010');
  });

  it('takes opaque ids as they come', () => {
    expect(recordDelivery(recordDelivery(emptyLedger(), tick('b'))!, tick('a'))!.lastEventId).toBe(
      'a',
    );
  });

  it('delivers events without an id every time', () => {
    const empty = emptyLedger();
    expect(recordDelivery(empty, { id: null, event: 'tick', data: 'x' })).toBe(empty);
    expect(recordDelivery(empty, { id: null, event: 'tick', data: 'x' })).toBe(empty);
  });

  it('keeps memory bounded', () => {
    let ledger = emptyLedger();
    for (let id = 0; id < RECENT_ID_LIMIT * 3; id++)
      ledger = recordDelivery(ledger, tick(String(id)))!;
    expect(ledger.recent.size).toBe(RECENT_ID_LIMIT);
    expect(ledger.lastEventId).toBe(String(RECENT_ID_LIMIT * 3 - 1));
  });
});

describe('decodeEnvelope', () => {
  it('reads topic and data', () => {
    expect(decodeEnvelope('{"topic":"a","data":{"n":1}}')).toEqual({
      ok: true,
      topic: 'a',
      data: { n: 1 },
    });
  });

  it.each([
    ['not JSON', '{oops', 'not JSON'],
    ['a bare value', '42', 'envelope'],
    ['no topic', '{"data":1}', 'no topic'],
  ])('reports %s as a reason, never a throw', (_name, raw, reason) => {
    const decoded = decodeEnvelope(raw);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain(reason);
  });
});

describe('the resume point and the dedupe memory, at their edges', () => {
  it('forgets the oldest event first: a replay of it is delivered again, the rest are not', () => {
    let ledger = emptyLedger();
    for (let id = 0; id <= RECENT_ID_LIMIT; id++)
      ledger = recordDelivery(ledger, tick(String(id)))!;
    expect(recordDelivery(ledger, tick('1'))).toBeNull();
    expect(recordDelivery(ledger, tick(String(RECENT_ID_LIMIT)))).toBeNull();
    expect(recordDelivery(ledger, tick('0'))).not.toBeNull();
  });

  it('resumes from nowhere after the server resets the id (`id:` with no value)', () => {
    const ledger = recordDelivery(emptyLedger(), tick('7'))!;
    const reset = recordDelivery(ledger, { id: '', event: 'tick', data: 'x' })!;
    expect(reset.lastEventId).toBeNull();
    expect(recordDelivery(reset, tick('7'))).toBeNull();
    const fresh = emptyLedger();
    expect(recordDelivery(fresh, { id: '', event: 'tick', data: 'x' })).toBe(fresh);
  });

  it('tells decimal ids from opaque ones that only start or end with digits', () => {
    const at100 = recordDelivery(emptyLedger(), tick('100'))!;
    expect(recordDelivery(at100, tick('9x'))!.lastEventId).toBe('9x');
    expect(recordDelivery(at100, tick('x9'))!.lastEventId).toBe('x9');
    expect(recordDelivery(at100, tick('99'))!.lastEventId).toBe('100');
    expect(recordDelivery(at100, tick('101'))!.lastEventId).toBe('101');
    const opaque = recordDelivery(emptyLedger(), tick('x9'))!;
    expect(recordDelivery(opaque, tick('5'))!.lastEventId).toBe('5');
  });

  it("moves the resume point on a server reset, forward only for the companion's ids", () => {
    const ledger = recordDelivery(emptyLedger(), tick('50'))!;
    expect(moveResumePoint(ledger, '500').lastEventId).toBe('500');
    expect(moveResumePoint(ledger, '40')).toBe(ledger);
    expect(moveResumePoint(ledger, null)).toBe(ledger);
    expect(moveResumePoint(ledger, '')).toBe(ledger);
    expect(moveResumePoint(emptyLedger(), 'abc').lastEventId).toBe('abc');
    expect(moveResumePoint(ledger, '500').recent).toBe(ledger.recent);
  });

  it('gives a new event id of the same data its own key, and the same event the same key', () => {
    expect(deliveryKey(tick('1', 'a'))).toBe(deliveryKey(tick('1', 'a')));
    expect(deliveryKey(tick('1', 'a'))).not.toBe(deliveryKey(tick('2', 'a')));
    expect(deliveryKey(tick('1', 'ab'))).not.toBe(deliveryKey(tick('1', 'ba')));
    expect(deliveryKey({ id: '1', event: 'a', data: 'bc' })).not.toBe(
      deliveryKey({ id: '1', event: 'ab', data: 'c' }),
    );
  });
});

describe('what is not an envelope', () => {
  it.each([
    ['null', 'null'],
    ['an array', '[{"topic":"a"}]'],
    ['a string', '"a"'],
  ])('%s is no envelope', (_name, raw) => {
    expect(decodeEnvelope(raw)).toEqual({
      ok: false,
      reason: 'event data is not a { topic, data } envelope',
    });
  });

  it('says why, and keeps what JSON.parse threw', () => {
    const decoded = decodeEnvelope('{oops');
    expect(decoded).toMatchObject({ ok: false, reason: 'event data is not JSON' });
    expect(decoded.ok === false && decoded.cause).toBeInstanceOf(SyntaxError);
    expect(decodeEnvelope('{"topic":7}')).toEqual({
      ok: false,
      reason: 'event envelope has no topic',
    });
    expect(decodeEnvelope('{"topic":"a"}')).toEqual({ ok: true, topic: 'a', data: undefined });
  });
});
