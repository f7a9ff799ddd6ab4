/**
 * session, as a user, another tab, the app's refresh and the server drive it: sign in and out
 * here or elsewhere, switch user, and the 401 → refresh → verify dance. The states carry the
 * real chart's names; `signingOut` is a passing state of the real chart, so here a sign-out
 * lands in `signedOut` and the test checks that it was passed through.
 */
import { type StateValue, setup } from 'xstate';
import { childSnapshot, type TabSnapshot } from './tab.model.js';

export type SessionModelEvent =
  | { type: 'user.login' }
  /** `login()` with another user while signed in: the scope is left and joined anew. */
  | { type: 'user.switch' }
  | { type: 'user.logout' }
  /** Another tab of the scope signed out. */
  | { type: 'peer.logout' }
  /** The stream answers 401. */
  | { type: 'server.unauthorized' }
  /** The stream opens. */
  | { type: 'server.accept' }
  /** A `force_logout` control event on the open stream. */
  | { type: 'server.forceLogout' }
  /** `refreshCredentials()` resolves. */
  | { type: 'app.refresh' }
  /** `refreshCredentials()` resolves `false`. */
  | { type: 'app.refuse' };

export const sessionModel = setup({
  types: { events: {} as SessionModelEvent },
}).createMachine({
  id: 'sessionModel',
  initial: 'signedOut',
  states: {
    signedOut: {
      on: { 'user.login': { target: 'signedIn' } },
    },
    signedIn: {
      initial: 'active',
      on: {
        'user.switch': { target: 'signedIn', reenter: true },
        'user.logout': { target: 'signedOut' },
        'peer.logout': { target: 'signedOut' },
      },
      states: {
        active: {
          on: {
            'server.unauthorized': { target: 'refreshing' },
            'server.forceLogout': { target: '#sessionModel.signedOut' },
          },
        },
        refreshing: {
          on: {
            'app.refresh': { target: 'verifying' },
            'app.refuse': { target: '#sessionModel.signedOut' },
          },
        },
        verifying: {
          on: {
            'server.accept': { target: 'active' },
            'server.unauthorized': { target: '#sessionModel.signedOut' },
          },
        },
      },
    },
  },
});

/** The session chart's state value, or undefined when it does not run (the tab is disposed). */
export function statesOf(snapshot: TabSnapshot): StateValue | undefined {
  return childSnapshot(snapshot, 'session')?.value;
}
