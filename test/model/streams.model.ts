/**
 * streams, as the tabs of a scope on the plain wire drive the leader's set of streams: endpoints
 * wanted and dropped, and the leader going away. The model counts the endpoints some tab wants;
 * the real chart holds one connection for each (an unwanted one idles, with no request).
 */
import { setup } from 'xstate';

export type StreamsModelEvent =
  /** The followers subscribe to endpoint `a`; every tab to `b`. */
  | { type: 'tabs.wantA' }
  | { type: 'tabs.wantB' }
  /** Every tab drops endpoint `a`. */
  | { type: 'tabs.dropA' }
  /** The leader closes: the next tab leads, with every wanted endpoint. */
  | { type: 'leader.close' };

export const streamsModel = setup({
  types: { events: {} as StreamsModelEvent },
}).createMachine({
  id: 'streamsModel',
  initial: 'none',
  states: {
    none: { on: { 'tabs.wantA': { target: 'a' }, 'tabs.wantB': { target: 'b' } } },
    a: { on: { 'tabs.wantB': { target: 'ab' }, 'tabs.dropA': { target: 'none' } } },
    b: { on: { 'tabs.wantA': { target: 'ab' }, 'leader.close': { target: 'b' } } },
    ab: { on: { 'tabs.dropA': { target: 'b' }, 'leader.close': { target: 'ab' } } },
  },
});
