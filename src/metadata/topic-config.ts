/**
 * Topic-level configs (Kafka's TopicConfig/LogConfig): names, types, validators, the broker key each
 * one defaults from, validation of CreateTopics/AlterConfigs overrides (INVALID_CONFIG) and the mapping
 * of overrides + broker defaults onto the storage engine's LogConfig.
 */
import type { LogConfig } from '../storage/engine.js';
import { ErrorCode } from '../protocol/errors.js';
import type { BrokerConfig } from './broker-config.js';
import { type ConfigDef, type ConfigType, type ConfigValue, ConfigException, type Validator, atLeast, between, listOf, oneOf, parseValue } from './config-types.js';

export interface TopicConfigDef extends ConfigDef {
  /** The broker config this topic config takes its default from (DescribeConfigs synonym). */
  readonly brokerSynonym: string | null;
}

const COMPRESSION = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];

function t(name: string, type: ConfigType, brokerSynonym: string | null, validate?: Validator, dflt: ConfigValue = null): TopicConfigDef {
  return { name, type, default: dflt, validate, brokerSynonym };
}

export const TOPIC_CONFIG_DEFS: readonly TopicConfigDef[] = [
  t('cleanup.policy', 'list', 'log.cleanup.policy', listOf('compact', 'delete')),
  t('compression.type', 'string', 'compression.type', oneOf(...COMPRESSION)),
  t('compression.gzip.level', 'int', 'compression.gzip.level', (v) => (v === -1 ? null : between(1, 9)(v)), -1),
  t('compression.lz4.level', 'int', 'compression.lz4.level', between(1, 17), 9),
  t('compression.zstd.level', 'int', 'compression.zstd.level', between(-131072, 22), 3),
  t('delete.retention.ms', 'long', 'log.cleaner.delete.retention.ms', atLeast(0)),
  t('file.delete.delay.ms', 'long', 'log.segment.delete.delay.ms', atLeast(0)),
  t('flush.messages', 'long', 'log.flush.interval.messages', atLeast(1)),
  t('flush.ms', 'long', 'log.flush.interval.ms', atLeast(0)),
  t('follower.replication.throttled.replicas', 'list', null, undefined, []),
  t('index.interval.bytes', 'int', 'log.index.interval.bytes', atLeast(0)),
  t('leader.replication.throttled.replicas', 'list', null, undefined, []),
  t('local.retention.bytes', 'long', 'log.local.retention.bytes', atLeast(-2), -2),
  t('local.retention.ms', 'long', 'log.local.retention.ms', atLeast(-2), -2),
  t('max.compaction.lag.ms', 'long', 'log.cleaner.max.compaction.lag.ms', atLeast(1)),
  t('max.message.bytes', 'int', 'message.max.bytes', atLeast(0)),
  t('message.timestamp.after.max.ms', 'long', 'log.message.timestamp.after.max.ms', atLeast(0)),
  t('message.timestamp.before.max.ms', 'long', 'log.message.timestamp.before.max.ms', atLeast(0)),
  t('message.timestamp.type', 'string', 'log.message.timestamp.type', oneOf('CreateTime', 'LogAppendTime')),
  t('min.cleanable.dirty.ratio', 'double', 'log.cleaner.min.cleanable.ratio', between(0, 1)),
  t('min.compaction.lag.ms', 'long', 'log.cleaner.min.compaction.lag.ms', atLeast(0)),
  t('min.insync.replicas', 'int', 'min.insync.replicas', atLeast(1)),
  t('preallocate', 'boolean', 'log.preallocate'),
  t('remote.log.copy.disable', 'boolean', null, undefined, false),
  t('remote.log.delete.on.disable', 'boolean', null, undefined, false),
  t('remote.storage.enable', 'boolean', null, undefined, false),
  t('retention.bytes', 'long', 'log.retention.bytes'),
  t('retention.ms', 'long', 'log.retention.ms', atLeast(-1)),
  t('segment.bytes', 'int', 'log.segment.bytes', atLeast(14)),
  t('segment.index.bytes', 'int', 'log.index.size.max.bytes', atLeast(4)),
  t('segment.jitter.ms', 'long', 'log.roll.jitter.ms', atLeast(0), 0),
  t('segment.ms', 'long', 'log.roll.ms', atLeast(1)),
  t('unclean.leader.election.enable', 'boolean', 'unclean.leader.election.enable'),
];

export const TOPIC_CONFIG_BY_NAME: ReadonlyMap<string, TopicConfigDef> = new Map(TOPIC_CONFIG_DEFS.map((c) => [c.name, c]));

/** A topic's explicit overrides: name → raw string value, as the client sent them. */
export type TopicConfigOverrides = Record<string, string>;

export interface ConfigValidationError {
  errorCode: number;
  message: string;
}

/**
 * Checks overrides from CreateTopics / AlterConfigs. A null value (CreateTopics allows it) means
 * "use the default" and is dropped. Returns the cleaned overrides or INVALID_CONFIG.
 */
export function validateTopicConfigs(
  entries: Iterable<[string, string | null]>,
): { ok: true; configs: TopicConfigOverrides } | ({ ok: false } & ConfigValidationError) {
  const configs: TopicConfigOverrides = {};
  for (const [name, value] of entries) {
    const def = TOPIC_CONFIG_BY_NAME.get(name);
    if (!def) return { ok: false, errorCode: ErrorCode.INVALID_CONFIG, message: `Unknown topic config name: ${name}` };
    if (value === null) continue;
    try {
      parseValue(def, value);
    } catch (e) {
      return { ok: false, errorCode: ErrorCode.INVALID_CONFIG, message: (e as Error).message };
    }
    configs[name] = value;
  }
  return { ok: true, configs };
}

/** A topic config's effective value: the override, else the broker's synonym, else its own default. */
export function effectiveTopicConfig(name: string, overrides: TopicConfigOverrides, broker: BrokerConfig): ConfigValue {
  const def = TOPIC_CONFIG_BY_NAME.get(name);
  if (!def) throw new Error(`unknown topic config ${name}`);
  const raw = overrides[name];
  if (raw !== undefined) {
    try {
      return parseValue(def, raw);
    } catch (e) {
      if (!(e instanceof ConfigException)) throw e;
      // Stored overrides were validated on the way in; fall through to the default if a rule tightened.
    }
  }
  switch (name) {
    case 'retention.ms':
      return broker.logRetentionMs;
    case 'segment.ms':
      return broker.logRollMs;
    case 'flush.ms':
      return broker.logFlushIntervalMs;
  }
  return def.brokerSynonym ? broker.get(def.brokerSynonym) : def.default;
}

/** The storage LogConfig for a topic: broker defaults with the topic's overrides on top. */
export function toLogConfig(overrides: TopicConfigOverrides, broker: BrokerConfig): LogConfig {
  const num = (n: string) => effectiveTopicConfig(n, overrides, broker) as number;
  const retentionMs = num('retention.ms');
  return {
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    retentionMs: retentionMs < 0 ? -1 : retentionMs,
    retentionBytes: num('retention.bytes'),
    indexIntervalBytes: num('index.interval.bytes'),
    flushIntervalMessages: num('flush.messages'),
    flushIntervalMs: num('flush.ms'),
    messageTimestampType: effectiveTopicConfig('message.timestamp.type', overrides, broker) as LogConfig['messageTimestampType'],
    cleanupPolicy: effectiveTopicConfig('cleanup.policy', overrides, broker) as NonNullable<LogConfig['cleanupPolicy']>,
    deleteRetentionMs: num('delete.retention.ms'),
    minCleanableDirtyRatio: num('min.cleanable.dirty.ratio'),
    minCompactionLagMs: num('min.compaction.lag.ms'),
    maxCompactionLagMs: num('max.compaction.lag.ms'),
  };
}
