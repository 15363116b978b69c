/**
 * Shared pieces of the data-path services (produce, fetch, list-offsets, leader epochs): the named
 * special values of the protocol, partition lookup with Kafka's error codes, the current_leader_epoch
 * check, and per-topic settings the hot path needs (cached per TopicInfo object, which the registry
 * replaces on every change).
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../../metadata/broker-config.js';
import { effectiveTopicConfig } from '../../metadata/topic-config.js';
import type { TopicInfo } from '../../metadata/topic-registry.js';
import type { TopicManager } from '../../metadata/topics.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { PartitionLog, StorageEngine } from '../engine.js';
import { LogFailedError, OffsetOutOfRangeError } from '../errors.js';
import { LONG_MAX } from '../../metadata/config-types.js';
import { CompressionCodec } from '../../protocol/compression/index.js';
import { type TimestampBounds, targetCodecOf } from './recompress.js';

/** ListOffsets special timestamps (ListOffsetsRequest.*_TIMESTAMP in Kafka). */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
/** v7+: the record with the largest timestamp. */
export const MAX_TIMESTAMP = -3;
/** v8+: the first offset still on local storage (= log start without tiered storage). */
export const EARLIEST_LOCAL_TIMESTAMP = -4;
/** v9+: the last offset on tiered storage (none here). */
export const LATEST_TIERED_TIMESTAMP = -5;

/** "No epoch given" in current_leader_epoch / leader_epoch fields, and "unknown" in answers. */
export const NO_LEADER_EPOCH = -1;
/** OffsetForLeaderEpoch: UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;
/** Offsets and timestamps Kafka answers when it has none. */
export const UNKNOWN_OFFSET = -1;
export const NO_TIMESTAMP = -1;

/** isolation_level */
export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;

/** What the data-path services use from the broker. */
export interface DataPathDeps {
  readonly topics: TopicManager;
  readonly storage: StorageEngine;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly clock: { now(): number };
  /** Broker extensions: the producer state ('producerState') lives here (src/storage/producer-state). */
  readonly extensions?: Map<string, unknown>;
}

export type Resolved = { errorCode: 0; topic: TopicInfo; log: PartitionLog; leaderEpoch: number } | { errorCode: number };

/** The partition's log and leader epoch, or UNKNOWN_TOPIC_OR_PARTITION. */
export function resolvePartition(deps: DataPathDeps, topic: TopicInfo | undefined, partition: number): Resolved {
  if (!topic || partition < 0 || partition >= topic.leaderEpochs.length) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  const log = deps.storage.getPartition(topic.name, partition);
  if (!log) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  return { errorCode: 0, topic, log, leaderEpoch: topic.leaderEpochs[partition]! };
}

/**
 * Kafka's current_leader_epoch check: -1 skips it; a newer epoch than ours means this broker is behind
 * (UNKNOWN_LEADER_EPOCH, retriable), an older one means the client is (FENCED_LEADER_EPOCH).
 */
export function checkLeaderEpoch(requested: number, current: number): number {
  if (requested === NO_LEADER_EPOCH || requested === current) return ErrorCode.NONE;
  return requested > current ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH;
}

/** The Kafka error code for an exception out of storage. */
export function storageErrorCode(err: unknown): number {
  if (err instanceof OffsetOutOfRangeError) return ErrorCode.OFFSET_OUT_OF_RANGE;
  if (err instanceof LogFailedError) return ErrorCode.KAFKA_STORAGE_ERROR;
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** Topic settings read on every produce; resolved once per TopicInfo version. */
export interface TopicPolicy {
  maxMessageBytes: number;
  logAppendTime: boolean;
  /** compression.type as a codec id; null for 'producer' (the producer's bytes are kept). */
  targetCodec: number | null;
  /** Level for the target codec (compression.gzip.level / compression.zstd.level; lz4 has none here). */
  compressionLevel: number | undefined;
  /** CreateTime bounds; null under LogAppendTime, where they do not apply. */
  timestampBounds: TimestampBounds | null;
  /** The broker config generation the values were read at (dynamic broker configs invalidate them). */
  configGeneration: number;
}

const policies = new WeakMap<TopicInfo, TopicPolicy>();

export function topicPolicy(config: BrokerConfig, topic: TopicInfo): TopicPolicy {
  let p = policies.get(topic);
  if (!p || p.configGeneration !== config.generation) {
    p = {
      configGeneration: config.generation,
      maxMessageBytes: effectiveTopicConfig('max.message.bytes', topic.configs, config) as number,
      logAppendTime: effectiveTopicConfig('message.timestamp.type', topic.configs, config) === 'LogAppendTime',
      ...compressionPolicy(config, topic),
      timestampBounds: null,
    };
    if (!p.logAppendTime) p.timestampBounds = timestampBounds(config, topic);
    policies.set(topic, p);
  }
  return p;
}

function compressionPolicy(config: BrokerConfig, topic: TopicInfo): Pick<TopicPolicy, 'targetCodec' | 'compressionLevel'> {
  const targetCodec = targetCodecOf(effectiveTopicConfig('compression.type', topic.configs, config) as string);
  let level: number | undefined;
  if (targetCodec === CompressionCodec.GZIP) level = effectiveTopicConfig('compression.gzip.level', topic.configs, config) as number;
  if (targetCodec === CompressionCodec.ZSTD) level = effectiveTopicConfig('compression.zstd.level', topic.configs, config) as number;
  return { targetCodec, compressionLevel: level === -1 ? undefined : level };
}

/**
 * message.timestamp.before/after.max.ms (Long.MAX = no bound). Records are scanned one by one only for
 * a finite before bound; the after bound alone (default 1 h) is checked on the batch's maxTimestamp.
 */
function timestampBounds(config: BrokerConfig, topic: TopicInfo): TimestampBounds | null {
  const ms = (name: string) => {
    const v = effectiveTopicConfig(name, topic.configs, config) as number | null;
    return v === null || v >= LONG_MAX ? Infinity : v;
  };
  const beforeMaxMs = ms('message.timestamp.before.max.ms');
  const afterMaxMs = ms('message.timestamp.after.max.ms');
  if (beforeMaxMs === Infinity && afterMaxMs === Infinity) return null;
  return { beforeMaxMs, afterMaxMs, scanRecords: beforeMaxMs !== Infinity };
}

/** bigint (codec) → number (storage), saturating outside the safe range. */
export function toNumber(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}
