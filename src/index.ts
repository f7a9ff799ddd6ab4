export {
  BACKOFF_DEFAULTS,
  type BackoffOptions,
  type JitterStrategy,
  nextDelay,
} from '../machines/backoff.js';
export { connectionMachine } from '../machines/connection.machine.js';
export { leadershipMachine } from '../machines/leadership.machine.js';
export { sessionMachine } from '../machines/session.machine.js';
export type {
  ConnectionError,
  ConnectionStatus,
  Mode,
  Phase,
  Role,
  TabcastStatus,
} from '../machines/status.js';
export { streamsMachine } from '../machines/streams.machine.js';
export { tabMachine } from '../machines/tab.machine.js';
export {
  createTabcast,
  type EventMeta,
  type Handlers,
  type SubscribeOptions,
  type Tabcast,
  type TabcastActor,
  type TabcastDiagnostics,
} from './create-tabcast.js';
export {
  TabcastError,
  type TabcastErrorCode,
  TabcastHandlerError,
  TabcastParseError,
} from './errors.js';
export {
  DEFAULTS,
  type EventSpec,
  type TabcastOptions,
  TIMING_DEFAULTS,
  type Timing,
} from './options.js';
export type { Platform } from './platform.js';
export {
  SHARED_EVENT_SOURCE_DEFAULTS,
  SharedEventSource,
  type SharedEventSourceInit,
} from './shared-event-source.js';
