import { type CallbackLogicFunction, type EventObject, fromCallback } from 'xstate';

/**
 * `fromCallback`, with `sendBack` typed by the events the actor sends. XState types `sendBack`
 * as taking any event, so a misspelt `'lock.grantd'` would compile and be dropped at runtime.
 *
 * @example
 * const lock = sendingCallback<LockEvent, EventObject, { name: string }>(({ sendBack }) => {
 *   sendBack({ type: 'lock.granted' });
 *   return () => {};
 * });
 */
export function sendingCallback<
  Sent extends EventObject,
  Received extends EventObject = EventObject,
  Input = undefined,
>(run: CallbackLogicFunction<Received, Sent, Input>) {
  return fromCallback<Received, Input>(run);
}
