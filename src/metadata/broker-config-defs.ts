/**
 * The broker configuration keys Brook knows, with Kafka's names, types and defaults.
 * Keys marked `ignored` are accepted (a stock server.properties loads without warnings) but have
 * no effect on a single-node broker. Brook-only keys are marked in their doc.
 */
import { type ConfigDef, type ConfigType, type ConfigValue, type Validator, INT_MAX, LONG_MAX, atLeast, between, listOf, oneOf } from './config-types.js';

const DAY_MS = 24 * 3600 * 1000;
const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function d(name: string, type: ConfigType, dflt: ConfigValue, validate?: Validator, doc?: string): ConfigDef {
  return { name, type, default: dflt, validate, doc };
}
/** A socket buffer size: -1 (the system's) or a positive size. */
const socketBuffer: Validator = (v) => (v === -1 ? null : atLeast(1)(v));

function ignored(name: string, type: ConfigType, dflt: ConfigValue): ConfigDef {
  return { name, type, default: dflt, ignored: true };
}

export const BROKER_CONFIG_DEFS: readonly ConfigDef[] = [
  // Identity and listeners
  d('node.id', 'int', 1, atLeast(0)),
  d('broker.id', 'int', null, atLeast(0), 'synonym of node.id'),
  d('cluster.id', 'string', null, undefined, 'Brook: cluster id to use when meta.properties does not exist yet'),
  d('listeners', 'list', ['PLAINTEXT://127.0.0.1:9092']),
  d('advertised.listeners', 'list', null),
  d('listener.security.protocol.map', 'list', [
    'PLAINTEXT:PLAINTEXT',
    'SSL:SSL',
    'SASL_PLAINTEXT:SASL_PLAINTEXT',
    'SASL_SSL:SASL_SSL',
  ]),
  d('controller.listener.names', 'list', null),
  ignored('inter.broker.listener.name', 'string', null),
  ignored('process.roles', 'list', null),
  ignored('controller.quorum.voters', 'list', null),
  ignored('controller.quorum.bootstrap.servers', 'list', null),
  d('log.level', 'string', null, oneOf(...LOG_LEVELS), 'Brook: pino log level (default info; silent under vitest)'),

  // Network
  d('socket.request.max.bytes', 'int', 104857600, atLeast(1)),
  d('connections.max.idle.ms', 'long', 600000),
  d('max.connections', 'int', INT_MAX, atLeast(0)),
  ignored('max.connections.per.ip', 'int', INT_MAX),
  d('queued.max.requests', 'int', 500, atLeast(1)),
  d('socket.send.buffer.bytes', 'int', 102400, socketBuffer, 'SO_SNDBUF of each connection; -1: the system default (needs the native helper)'),
  d('socket.receive.buffer.bytes', 'int', 102400, socketBuffer, 'SO_RCVBUF of each connection; -1: the system default (needs the native helper)'),
  ignored('socket.listen.backlog.size', 'int', 50),
  ignored('num.network.threads', 'int', 3),
  ignored('num.io.threads', 'int', 8),
  ignored('background.threads', 'int', 10),

  // Topics
  d('log.dirs', 'list', null),
  d('log.dir', 'string', './data'),
  d('num.partitions', 'int', 1, atLeast(1)),
  d('default.replication.factor', 'int', 1),
  d('auto.create.topics.enable', 'boolean', true),
  d('delete.topic.enable', 'boolean', true),
  d('message.max.bytes', 'int', 1048588, atLeast(0)),
  d('compression.type', 'string', 'producer', oneOf(...COMPRESSION_TYPES)),
  d('compression.gzip.level', 'int', -1, (v) => (v === -1 ? null : between(1, 9)(v))),
  d('compression.lz4.level', 'int', 9, between(1, 17)),
  d('compression.zstd.level', 'int', 3, between(-131072, 22)),
  d('min.insync.replicas', 'int', 1, atLeast(1)),
  ignored('unclean.leader.election.enable', 'boolean', false),
  ignored('num.recovery.threads.per.data.dir', 'int', 1),
  ignored('auto.leader.rebalance.enable', 'boolean', true),

  // Log (topic defaults: see topic-config.ts for the synonyms)
  d('log.segment.bytes', 'int', 1073741824, atLeast(14)),
  d('log.roll.ms', 'long', null, atLeast(1)),
  d('log.roll.hours', 'int', 168, atLeast(1)),
  ignored('log.roll.jitter.ms', 'long', null),
  ignored('log.roll.jitter.hours', 'int', 0),
  d('log.retention.ms', 'long', null),
  d('log.retention.minutes', 'int', null),
  d('log.retention.hours', 'int', 168),
  d('log.retention.bytes', 'long', -1),
  d('log.retention.check.interval.ms', 'long', 300000, atLeast(1)),
  d('log.flush.interval.messages', 'long', LONG_MAX, atLeast(1)),
  // Brook only: recent batches kept in memory over all partitions (least recently used evicted first).
  d('log.tail.cache.bytes', 'long', 8 * 1024 * 1024, atLeast(0), 'Brook: bytes of recent batches over all partitions served from memory'),
  d('log.flush.interval.ms', 'long', null),
  d('log.flush.scheduler.interval.ms', 'long', LONG_MAX),
  ignored('log.flush.offset.checkpoint.interval.ms', 'int', 60000),
  d('log.index.interval.bytes', 'int', 4096, atLeast(0)),
  d('log.index.size.max.bytes', 'int', 10485760, atLeast(4)),
  d('log.cleanup.policy', 'list', ['delete'], listOf('compact', 'delete')),
  d('log.cleaner.enable', 'boolean', true),
  ignored('log.cleaner.threads', 'int', 1),
  d('log.cleaner.min.cleanable.ratio', 'double', 0.5, between(0, 1)),
  d('log.cleaner.delete.retention.ms', 'long', DAY_MS, atLeast(0)),
  d('log.cleaner.min.compaction.lag.ms', 'long', 0, atLeast(0)),
  d('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX, atLeast(1)),
  d('log.cleaner.backoff.ms', 'long', 15000, atLeast(0)),
  d('log.message.timestamp.type', 'string', 'CreateTime', oneOf('CreateTime', 'LogAppendTime')),
  d('log.message.timestamp.before.max.ms', 'long', LONG_MAX, atLeast(0)),
  d('log.message.timestamp.after.max.ms', 'long', 3600000, atLeast(0)),
  d('log.preallocate', 'boolean', false),
  d('log.segment.delete.delay.ms', 'long', 60000, atLeast(0)),
  ignored('log.local.retention.ms', 'long', -2),
  ignored('log.local.retention.bytes', 'long', -2),

  // Groups and offsets
  d('group.initial.rebalance.delay.ms', 'int', 3000, atLeast(0)),
  d('group.min.session.timeout.ms', 'int', 6000),
  d('group.max.session.timeout.ms', 'int', 1800000),
  d('group.max.size', 'int', INT_MAX, atLeast(1)),
  d('offsets.topic.num.partitions', 'int', 50, atLeast(1)),
  d('offsets.topic.replication.factor', 'short', 3, atLeast(1)),
  d('offsets.topic.segment.bytes', 'int', 104857600, atLeast(1)),
  d('offsets.retention.minutes', 'int', 10080, atLeast(1)),
  d('offsets.retention.check.interval.ms', 'long', 600000, atLeast(1)),
  d('offsets.commit.timeout.ms', 'int', 5000, atLeast(1)),

  // Transactions and producers
  d('transaction.state.log.num.partitions', 'int', 50, atLeast(1)),
  d('transaction.state.log.replication.factor', 'short', 3, atLeast(1)),
  d('transaction.state.log.min.isr', 'int', 2, atLeast(1)),
  d('transaction.state.log.segment.bytes', 'int', 104857600, atLeast(1)),
  d('transaction.max.timeout.ms', 'int', 900000, atLeast(1)),
  d('transactional.id.expiration.ms', 'int', 7 * DAY_MS, atLeast(1)),
  d('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'int', 10000, atLeast(1)),
  d('producer.id.expiration.ms', 'int', DAY_MS, atLeast(1)),
  ignored('share.coordinator.state.topic.replication.factor', 'short', 3),
  ignored('share.coordinator.state.topic.min.isr', 'short', 2),

  // Fetch
  d('fetch.max.bytes', 'int', 57671680, atLeast(1024)),
];

export const BROKER_CONFIG_BY_NAME: ReadonlyMap<string, ConfigDef> = new Map(BROKER_CONFIG_DEFS.map((c) => [c.name, c]));
