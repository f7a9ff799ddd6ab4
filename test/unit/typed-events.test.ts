import { describe, expect, expectTypeOf, it } from 'vitest';
import { createTabcast, type TabcastParseError } from '../../src/index.js';
import { FakeBrowser } from '../fakes/index.js';
import { URL } from '../support/harness.js';

describe('typed events (docs/api.md, Options: events)', () => {
  interface Events {
    'order-placed': { id: number; at: Date };
    'order-cancelled': { id: number };
  }

  it('runs the per-event parse in every tab and types the handlers', async () => {
    const browser = new FakeBrowser();
    const tabs = [browser.openTab(), browser.openTab()];
    const received: Array<{ tab: string; at: Date }> = [];
    const errors: TabcastParseError[] = [];
    for (const tab of tabs) {
      const tabcast = createTabcast<Events>({
        url: URL,
        appKey: 'app',
        tabId: tab.id,
        platform: tab.platform,
        events: {
          'order-placed': {
            parse: (data) => {
              const raw = data as { id: number; at: string };
              if (typeof raw.id !== 'number') throw new Error('no id');
              return { id: raw.id, at: new Date(raw.at) };
            },
          },
        },
      });
      tabcast.subscribe(
        'orders',
        {
          'order-placed': (order) => {
            expectTypeOf(order).toEqualTypeOf<{ id: number; at: Date }>();
            received.push({ tab: tab.id, at: order.at });
          },
        },
        { error: (error) => errors.push(error) },
      );
      tabcast.login({ userId: 'ada' });
    }
    await browser.clock.advance(10);
    const source = browser.eventSources.at(-1)!;
    source.open();
    source.emitEnvelope('order-placed', 'orders', { id: 1, at: '2026-01-02T03:04:05Z' }, 1);
    source.emitEnvelope('order-placed', 'orders', { at: 'no id' }, 2);
    await browser.clock.advance(0);
    expect(received.map((entry) => entry.tab)).toEqual(['tab-1', 'tab-2']);
    expect(
      received.every((entry) => entry.at instanceof Date && entry.at.getUTCFullYear() === 2026),
    ).toBe(true);
    expect(errors.map((error) => [error.code, error.id])).toEqual([
      ['parse_error', '2'],
      ['parse_error', '2'],
    ]);
  });
});
