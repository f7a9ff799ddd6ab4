import { describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';

describe('one stream for many tabs', () => {
  it('elects one leader; events reach every tab once, in order', async () => {
    const harness = new Harness();
    const tabs = [harness.open(), harness.open(), harness.open()];
    await harness.settle(100);
    expect(harness.leaders()).toHaveLength(1);
    const source = harness.theSource();
    source.open();
    await harness.settle();
    for (let id = 1; id <= 3; id++) source.emitEnvelope('tick', 'news', { n: id }, id);
    await harness.settle();
    for (const { delivered, tabcast } of tabs) {
      expect(delivered.map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect(tabcast.status.phase).toBe('open');
      expect(tabcast.diagnostics().lastEventId).toBe('3');
    }
  });
});
