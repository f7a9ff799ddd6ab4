export type { Broker, BrokerState, BrokerStats } from './broker';
export { type PublishErrorCode, TabcastPublishError } from './errors';
export { createHub } from './hub';
export { type BrokeredHubOptions, HUB_DEFAULTS, type HubOptions } from './options';
export { type HubRequest, headerOf } from './request';
export type { Hub, HubLogger, HubStats, PublishOptions, StreamInfo } from './types';
