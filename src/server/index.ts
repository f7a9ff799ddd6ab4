export { createHub } from './hub';
export { HUB_DEFAULTS, type HubOptions } from './options';
export type { Hub, HubLogger, HubStats, PublishOptions, StreamInfo } from './types';
