/**
 * `tabcast/react`: a provider and three hooks over a handle created outside React.
 *
 * The root actor is `useTabcast().actor`, so `useSelector` from `@xstate/react` works on it
 * directly; the machines are exported for `useMachine`/`useActor` with your own `provide()`.
 *
 * @example
 * const phase = useSelector(useTabcast().actor, (snapshot) => snapshot.context.status.phase);
 */
import type { SnapshotFrom } from 'xstate';
import type { tabMachine } from '../../machines/tab.machine.js';

export { connectionMachine } from '../../machines/connection.machine.js';
export { leadershipMachine } from '../../machines/leadership.machine.js';
export { sessionMachine } from '../../machines/session.machine.js';
export type { TabcastStatus } from '../../machines/status.js';
export { streamsMachine } from '../../machines/streams.machine.js';
export { tabMachine } from '../../machines/tab.machine.js';
export type {
  EventMeta,
  Handlers,
  SubscribeOptions,
  Tabcast,
  TabcastActor,
} from '../create-tabcast.js';
export {
  PROVIDER_DEFAULTS,
  TabcastProvider,
  type TabcastProviderProps,
} from './tabcast-provider.js';
export { useTabcast } from './use-tabcast.js';
export { useTabcastStatus } from './use-tabcast-status.js';
export { useTopic } from './use-topic.js';

/** What `useSelector(useTabcast().actor, (snapshot) => …)` hands the selector. */
export type TabcastSnapshot = SnapshotFrom<typeof tabMachine>;
