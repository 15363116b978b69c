/**
 * Brook's public API: the embedded broker and the pieces a host program may want.
 */
export { startBroker, type StartBrokerOptions, type RunningBroker } from './broker.js';
export { loadBrokerConfig, BrokerConfig, ConfigException, type ListenerSpec, type LoadConfigOptions } from './metadata/broker-config.js';
export { createLogger, type Logger } from './logger.js';
export { NO_RESPONSE, type Handler, type RequestContext, type BrokerServices } from './handlers/types.js';
export { HandlerRegistry, registerAll } from './handlers/registry.js';
