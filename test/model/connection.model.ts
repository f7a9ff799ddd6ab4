/**
 * connection, as the server, the network, the clock, the user and the app drive the leader's
 * stream. The states carry the real chart's names; `starting` is a passing state of the real
 * chart, so a topic change lands in `live.connecting` (or `idle`) here and the coverage shows it
 * was passed through.
 */
import { type StateValue, setup } from 'xstate';
import { childSnapshot, type TabSnapshot } from './tab.model.js';

export type ConnectionModelEvent =
  /** The server accepts the connect: the stream opens. */
  | { type: 'server.accept' }
  /** The server refuses the connect with 401. */
  | { type: 'server.unauthorized' }
  /** The server refuses the connect with 403 (a forbidden topic). */
  | { type: 'server.forbid' }
  /** The server answers 204: it wants no stream. */
  | { type: 'server.noContent' }
  /** A `server_close` control event on the open stream. */
  | { type: 'server.closeStream' }
  /** The network drops the stream (or the connect). */
  | { type: 'network.drop' }
  /** The browser comes back online. */
  | { type: 'network.online' }
  /** The connect hangs for `connectTimeoutMs`. */
  | { type: 'clock.connectTimeout' }
  /** The open stream stays silent for `stallTimeoutMs`. */
  | { type: 'clock.stall' }
  /** The reconnect delay passes. */
  | { type: 'clock.retryDelay' }
  /** `retry()`. */
  | { type: 'user.retry' }
  /** A subscription to a new topic: the one debounced reconnect. */
  | { type: 'user.subscribe' }
  /** Every subscription ends: nothing is left to stream. */
  | { type: 'user.unsubscribeAll' }
  /** `refreshCredentials()` resolves. */
  | { type: 'app.refresh' };

export const connectionModel = setup({
  types: { events: {} as ConnectionModelEvent },
}).createMachine({
  id: 'connectionModel',
  initial: 'live',
  states: {
    live: {
      initial: 'connecting',
      on: {
        'network.drop': { target: 'backoff' },
        // Through `starting`, after the topics debounce.
        'user.subscribe': { target: 'live', reenter: true },
        'user.unsubscribeAll': { target: 'idle' },
      },
      states: {
        connecting: {
          on: {
            'server.accept': { target: 'open' },
            'server.unauthorized': { target: '#connectionModel.unauthorized' },
            'server.forbid': { target: '#connectionModel.failed' },
            'server.noContent': { target: '#connectionModel.closed' },
            'clock.connectTimeout': { target: '#connectionModel.backoff' },
          },
        },
        open: {
          initial: 'receiving',
          states: {
            receiving: {
              on: {
                'server.closeStream': { target: '#connectionModel.serverClosed' },
                'clock.stall': { target: '#connectionModel.backoff' },
              },
            },
          },
        },
      },
    },
    /** No topic: no request; the first subscription starts a stream. */
    idle: {
      on: { 'user.subscribe': { target: 'live' } },
    },
    backoff: {
      on: {
        'user.unsubscribeAll': { target: 'idle' },
        'clock.retryDelay': { target: 'live' },
        'network.online': { target: 'live' },
        'user.retry': { target: 'live' },
      },
    },
    serverClosed: {
      on: {
        'clock.retryDelay': { target: 'live' },
        'user.retry': { target: 'live' },
      },
    },
    unauthorized: {
      on: {
        'app.refresh': { target: 'live' },
        'user.retry': { target: 'live' },
      },
    },
    failed: {
      on: { 'user.retry': { target: 'live' } },
    },
    closed: {
      on: { 'user.retry': { target: 'live' } },
    },
  },
});

/** The connection chart's state value, or undefined when it does not run (not leading). */
export function statesOf(snapshot: TabSnapshot): StateValue | undefined {
  const leadership = childSnapshot(childSnapshot(snapshot, 'session'), 'leadership');
  return childSnapshot(childSnapshot(leadership, 'streams'), 'connection')?.value;
}
