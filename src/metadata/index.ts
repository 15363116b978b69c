/**
 * Metadata: broker configuration, cluster identity (meta.properties), topics (names, IDs, partition
 * counts, leader epochs, configs) and their persistence. May call storage (to create and delete
 * partition logs); never the network layer or handlers.
 */
export * from './broker-config.js';
export { BROKER_CONFIG_DEFS, BROKER_CONFIG_BY_NAME } from './broker-config-defs.js';
export { type ConfigDef, type ConfigType, type ConfigValue, formatValue, parseValue } from './config-types.js';
export * from './meta-properties.js';
export * from './topic-config.js';
export * from './topic-names.js';
export { TopicRegistry, type TopicInfo, generateTopicId, ZERO_TOPIC_ID, TOPICS_FILE } from './topic-registry.js';
export * from './topics.js';
