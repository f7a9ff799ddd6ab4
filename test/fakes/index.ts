/**
 * `tabcast/testing`: a whole browser in one process for deterministic tests — many tabs sharing
 * Web Locks and BroadcastChannels, EventSource and fetch streams the test serves, all driven by
 * one fake clock.
 */
export { FakeBrowser, type FakeBrowserOptions } from './browser';
export { type ChannelMessage, FakeBroadcastChannel } from './channel';
export { FakeClock, type FakeClockOptions, flushMicrotasks, TabClock } from './clock';
export {
  EVENT_SOURCE_RECONNECT_MS,
  FakeEventSource,
  type FakeSourceEvent,
  type FakeSseEvent,
} from './event-source';
export { FakeEventTarget } from './events';
export { FakeFetchCall } from './fetch';
export {
  type FakeLock,
  FakeLockManager,
  type FakeLockRequestOptions,
  type TabLockManager,
} from './locks';
export { seededRandom } from './random';
export { envelopeData, type SseFrame, sseFrame } from './sse';
export { FakeDocument, type FakePlatform, FakeTab } from './tab';
