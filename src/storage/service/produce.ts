/**
 * Produce, one partition at a time: validate the batch headers → convert legacy message sets (Produce
 * v0–v2 only) → the topic's record-level policy (below) → LogAppendTime rewrite when the topic asks for
 * it → append (the log assigns offsets by rewriting baseOffset and partitionLeaderEpoch in place) →
 * settle at the durability the acks ask for.
 *
 * producePartition() calls PartitionLog.append synchronously (no await before it), so partitions get
 * their offsets in request order, also for acks=0 where nobody waits.
 *
 * Batches with a producer id go through the producer state (src/storage/producer-state) when the
 * broker has extensions: duplicates are answered with their original offsets and not appended,
 * sequence/epoch errors are codes.
 *
 * Record-level policy (recompress.ts), as Kafka's LogValidator, with the default path kept header-only:
 * - compression.type other than producer: a batch whose codec differs is decompressed (64 MiB output
 *   limit; a bomb is CORRUPT_MESSAGE) and recompressed to the topic's codec (gzip/zstd levels from
 *   compression.*.level; snappy in xerial framing; lz4 at the codec's one level), records byte for
 *   byte, header fields kept, new CRC; MESSAGE_TOO_LARGE if the result exceeds max.message.bytes.
 *   Same codec, or a control batch: bytes kept. 'producer' (the default): no per-record work.
 * - CreateTime bounds: a finite message.timestamp.before.max.ms scans every record's timestamp (after
 *   decompressing); otherwise message.timestamp.after.max.ms (default 1 h) is checked on the batch
 *   header's maxTimestamp alone — Kafka checks each record, so a producer that writes a maxTimestamp
 *   below its records' timestamps is not caught here. Out of bounds: INVALID_TIMESTAMP with Kafka's
 *   record_errors and error_message (Produce v8+), nothing appended. LogAppendTime topics skip them.
 * - Compacted topics: a keyless record is INVALID_RECORD with record_errors (compaction/produce-check).
 * - A producer batch with the LogAppendTime bit: INVALID_TIMESTAMP on a LogAppendTime topic (as Kafka);
 *   on a CreateTime topic its records' timestamp (maxTimestamp) meets the bounds.
 * Not done: per-record structure checks (beyond the framing walk when the records are decompressed
 * anyway); a batch with both keyless and out-of-bounds records answers the keyless error alone (Kafka
 * lists both under INVALID_TIMESTAMP).
 */
import { CompressionCodec } from '../../protocol/compression/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import {
  ATTRIBUTES, CRC, batchCodec, LAST_OFFSET_DELTA, MAX_TIMESTAMP, TIMESTAMP_TYPE_LOG_APPEND, batches,
  computeBatchCrc, convertLegacyToV2, errorCodeFor, produceErrorForVersion, validateBatchForAppend,
} from '../../protocol/records/index.js';
import type { TopicInfo } from '../../metadata/topic-registry.js';
import type { AppendBatch, Durability } from '../engine.js';
import { producerStateOf } from '../producer-state/service.js';
import { keylessRecordError } from '../compaction/produce-check.js';
import { type DataPathDeps, NO_TIMESTAMP, type TopicPolicy, UNKNOWN_OFFSET, resolvePartition, storageErrorCode, topicPolicy } from './common.js';
import { type RecordErrorEntry, type RecordRejection, inspectBatch, keylessRejection, producerLogAppendTimeRejection, timestampRejection } from './recompress.js';

/** acks values (ProduceRequest.acks). */
export const ACKS_NONE = 0;
export const ACKS_LEADER = 1;
export const ACKS_ALL = -1;

/** The client id Kafka lets append to internal topics. */
const ADMIN_CLIENT_ID = '__admin_client';
/** First Produce version that carries only magic 2 batches, exactly one per partition. */
const FIRST_V2_ONLY_VERSION = 3;
/** First Produce version allowed to send zstd (KIP-110). */
const FIRST_ZSTD_VERSION = 7;
export function durabilityForAcks(acks: number): Durability | null {
  if (acks === ACKS_NONE) return 'none';
  if (acks === ACKS_LEADER) return 'written';
  if (acks === ACKS_ALL) return 'synced';
  return null;
}

export interface ProducePartitionInput {
  topic: TopicInfo | undefined;
  partition: number;
  records: Buffer | null;
  version: number;
  durability: Durability;
  clientId: string | null;
}

export interface ProducePartitionResult {
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  /** Produce v8+ record_errors / error_message, for per-record rejections (as Kafka fills them). */
  recordErrors?: RecordErrorEntry[];
  errorMessage?: string | null;
}

export const failed = (errorCode: number): ProducePartitionResult => ({
  errorCode,
  baseOffset: UNKNOWN_OFFSET,
  logAppendTimeMs: NO_TIMESTAMP,
  logStartOffset: UNKNOWN_OFFSET,
});

/** Validates and appends one partition's records. Never rejects: errors are codes. */
export function producePartition(deps: DataPathDeps, input: ProducePartitionInput): Promise<ProducePartitionResult> {
  const { version } = input;
  const target = resolvePartition(deps, input.topic, input.partition);
  if (target.errorCode !== ErrorCode.NONE || !('log' in target)) return Promise.resolve(failed(target.errorCode));
  const { topic, log, leaderEpoch } = target;
  if (topic.internal && input.clientId !== ADMIN_CLIENT_ID) return Promise.resolve(failed(ErrorCode.INVALID_TOPIC_EXCEPTION));
  const policy = topicPolicy(deps.config, topic);

  const prepared = prepareBatches(input.records, version, policy.maxMessageBytes);
  if (typeof prepared === 'number') return Promise.resolve(failed(produceErrorForVersion(prepared, version)));
  if (prepared.length === 0) return Promise.resolve({ ...failed(ErrorCode.NONE), logStartOffset: log.logStartOffset() });
  const keyless = keylessRecordError(deps.config, topic, prepared, version); // compacted topics need keys
  if (keyless !== null) {
    const rejection = keylessRejection(prepared, topic.name, input.partition, keyless);
    return Promise.resolve(rejection ? rejected(rejection, log.logStartOffset()) : failed(keyless));
  }

  const now = deps.clock.now();
  if (policy.logAppendTime) {
    try {
      for (const buf of prepared) {
        const rejection = producerLogAppendTimeRejection(buf);
        if (rejection !== null) return Promise.resolve(rejected(rejection, log.logStartOffset()));
      }
    } catch (err) {
      return Promise.resolve(failed(produceErrorForVersion(errorCodeFor(err), version)));
    }
  }
  if (policy.targetCodec !== null || policy.timestampBounds !== null) {
    const checked = applyRecordPolicy(prepared, policy, now, version);
    if (typeof checked === 'number') return Promise.resolve(failed(checked));
    if (!Array.isArray(checked)) return Promise.resolve(rejected(checked, log.logStartOffset()));
  }
  const appendTime = policy.logAppendTime ? now : NO_TIMESTAMP;
  const batchesToAppend: AppendBatch[] = prepared.map((buf) => {
    if (policy.logAppendTime) stampLogAppendTime(buf, now);
    return { buf, offsetCount: buf.readInt32BE(LAST_OFFSET_DELTA) + 1, maxTimestamp: Number(buf.readBigInt64BE(MAX_TIMESTAMP)) };
  });
  let pending: Promise<{ errorCode: number; baseOffset: number; logStartOffset: number }>;
  try {
    pending = deps.extensions
      ? producerStateOf({ ...deps, extensions: deps.extensions }).append(log, batchesToAppend, leaderEpoch, input.durability)
      : log.append(batchesToAppend, leaderEpoch, input.durability).then((r) => ({ errorCode: ErrorCode.NONE, ...r }));
  } catch (err) {
    return Promise.resolve(failed(storageErrorCode(err)));
  }
  return pending.then(
    (r) =>
      r.errorCode !== ErrorCode.NONE
        ? failed(r.errorCode)
        : { errorCode: ErrorCode.NONE, baseOffset: r.baseOffset, logAppendTimeMs: appendTime, logStartOffset: r.logStartOffset },
    (err: unknown) => {
      deps.logger.error({ err, topic: topic.name, partition: input.partition }, 'produce append failed');
      return failed(storageErrorCode(err));
    },
  );
}

const NO_COMPRESS_OPTIONS = {};

/** Kafka answers a RecordValidationException with the log start offset and its per-record detail. */
function rejected(r: RecordRejection, logStartOffset: number): ProducePartitionResult {
  return { ...failed(r.errorCode), logStartOffset, recordErrors: r.recordErrors, errorMessage: r.errorMessage };
}

/**
 * compression.type and the CreateTime bounds (recompress.ts), batch by batch; replaces re-compressed
 * batches in `prepared`. Returns it, a rejection with record errors, or an error code.
 */
function applyRecordPolicy(prepared: Buffer[], policy: TopicPolicy, now: number, version: number): Buffer[] | RecordRejection | number {
  const options = policy.targetCodec === null ? NO_COMPRESS_OPTIONS : { level: policy.compressionLevel };
  try {
    for (let i = 0; i < prepared.length; i++) {
      const buf = prepared[i]!;
      let out = inspectBatch(buf, policy.targetCodec, options, policy.timestampBounds, now, policy.maxMessageBytes);
      if (out === null) {
        const rejection = timestampRejection(buf, now, policy.timestampBounds!);
        if (rejection !== null) return rejection;
        out = inspectBatch(buf, policy.targetCodec, options, null, now, policy.maxMessageBytes)!; // the header overstated
      }
      if (out !== buf) {
        if (out.length > policy.maxMessageBytes) return ErrorCode.MESSAGE_TOO_LARGE;
        prepared[i] = out;
      }
    }
  } catch (err) {
    return produceErrorForVersion(errorCodeFor(err), version);
  }
  return prepared;
}

/**
 * The v2 batches to append (each its own Buffer starting at 0), or the Kafka error code for the
 * partition. Header checks only, except for legacy message sets, which must be decoded to convert.
 */
function prepareBatches(records: Buffer | null, version: number, maxMessageBytes: number): Buffer[] | number {
  if (records === null || records.length === 0) {
    return version >= FIRST_V2_ONLY_VERSION ? ErrorCode.INVALID_RECORD : [];
  }
  const spans = [...batches(records)];
  if (version < FIRST_V2_ONLY_VERSION && spans[0]!.magic !== 2) return convertLegacy(records, spans, maxMessageBytes);
  if (version >= FIRST_V2_ONLY_VERSION && spans.length !== 1) return spans.length === 0 ? ErrorCode.INVALID_RECORD : multiBatchError(spans);
  const out: Buffer[] = [];
  for (const span of spans) {
    if (span.partial) return ErrorCode.CORRUPT_MESSAGE;
    const code = validateBatchForAppend(records, span.pos, { maxBatchBytes: maxMessageBytes });
    if (code !== ErrorCode.NONE) return code;
    if (version < FIRST_ZSTD_VERSION && batchCodec(records, span.pos) === CompressionCodec.ZSTD) {
      return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    }
    out.push(records.subarray(span.pos, span.pos + span.size));
  }
  return out;
}

/** Kafka wants exactly one batch per partition from v3; a truncated tail is still corruption. */
function multiBatchError(spans: ReadonlyArray<{ partial: boolean }>): number {
  return spans.some((s) => s.partial) ? ErrorCode.CORRUPT_MESSAGE : ErrorCode.INVALID_RECORD;
}

function convertLegacy(records: Buffer, spans: ReadonlyArray<{ size: number; partial: boolean }>, maxMessageBytes: number): Buffer[] | number {
  for (const s of spans) {
    if (s.partial) return ErrorCode.CORRUPT_MESSAGE;
    if (s.size > maxMessageBytes) return ErrorCode.MESSAGE_TOO_LARGE;
  }
  try {
    const v2 = convertLegacyToV2(records);
    return v2 === null ? [] : [v2];
  } catch (err) {
    return errorCodeFor(err);
  }
}

/** LogAppendTime: timestamp type bit + maxTimestamp = now, then a new CRC (both sit inside the CRC'd range). */
function stampLogAppendTime(buf: Buffer, now: number): void {
  buf.writeInt16BE(buf.readInt16BE(ATTRIBUTES) | TIMESTAMP_TYPE_LOG_APPEND, ATTRIBUTES);
  buf.writeBigInt64BE(BigInt(now), MAX_TIMESTAMP);
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), CRC);
}
