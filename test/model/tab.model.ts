/**
 * tab, as its user sees it: created in a page or off the browser (server-side rendering), it
 * signs in and out, and is disposed for good. The model splits the real chart's `active` by
 * sign-in so that disposing is tested both idle and with a lock, a channel and a stream to let
 * go of.
 */
import { type AnyActorRef, type AnyMachineSnapshot, type SnapshotFrom, setup } from 'xstate';
import type { tabMachine } from '../../machines/tab.machine.js';

export type TabSnapshot = SnapshotFrom<typeof tabMachine>;

export type TabModelEvent =
  /** `createTabcast()` in a page. */
  | { type: 'page.create' }
  /** `createTabcast()` with no `window` (a server rendering the page), then login and subscribe. */
  | { type: 'server.create' }
  | { type: 'user.login' }
  | { type: 'user.logout' }
  | { type: 'user.dispose' };

export const tabModel = setup({
  types: { events: {} as TabModelEvent },
}).createMachine({
  id: 'tabModel',
  initial: 'unborn',
  states: {
    unborn: {
      on: { 'page.create': { target: 'active' }, 'server.create': { target: 'inert' } },
    },
    inert: { on: { 'user.dispose': { target: 'disposed' } } },
    active: {
      initial: 'signedOut',
      on: { 'user.dispose': { target: 'disposed' } },
      states: {
        signedOut: { on: { 'user.login': { target: 'signedIn' } } },
        signedIn: { on: { 'user.logout': { target: 'signedOut' } } },
      },
    },
    disposed: { type: 'final' },
  },
});

/** The snapshot of the actor the machine invoked with `id`, if it runs. */
export function childSnapshot(
  snapshot: AnyMachineSnapshot | undefined,
  id: string,
): AnyMachineSnapshot | undefined {
  const children = snapshot?.children as Record<string, AnyActorRef | undefined> | undefined;
  return children?.[id]?.getSnapshot() as AnyMachineSnapshot | undefined;
}

/** The tab chart's state value. */
export function statesOf(snapshot: TabSnapshot): TabSnapshot['value'] {
  return snapshot.value;
}
