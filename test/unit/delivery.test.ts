import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  emptyLedger,
  RECENT_ID_LIMIT,
  recordDelivery,
} from '../../src/delivery.js';

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
