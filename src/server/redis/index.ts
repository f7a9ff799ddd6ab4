export { createRedisBroker, REDIS_BROKER_DEFAULTS, type RedisBrokerOptions } from './broker';
