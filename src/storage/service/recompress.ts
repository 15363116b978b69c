/**
 * The produce-path work that must look inside a batch's records, done only when a topic config asks
 * for it (Kafka's LogValidator): re-compression to the topic's compression.type, and the per-record
 * timestamp bounds (message.timestamp.before.max.ms / after.max.ms) — plus the per-record errors Kafka
 * answers for them at Produce v8+.
 *
 * Re-compression keeps every record byte: the records section (attributes, timestamp and offset deltas,
 * keys, values, headers) is decompressed with an output limit, its framing walked (record lengths and
 * count), and recompressed as is; the header keeps baseTimestamp/maxTimestamp, producer id/epoch/
 * sequence, the transactional and timestamp-type bits; only the codec bits, batchLength and the CRC
 * change. Kafka rebuilds the records through its MemoryRecordsBuilder, which writes the same bytes for
 * well-formed v2 records.
 */
import { CompressionCodec, CompressionError, type CompressOptions, compress, decompress } from '../../protocol/compression/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import {
  ATTRIBUTES, BASE_TIMESTAMP, BATCH_LENGTH, COMPRESSION_MASK, CONTROL_FLAG, CRC, LOG_OVERHEAD, MAX_TIMESTAMP, RECORDS,
  RECORD_COUNT, RecordsError, TIMESTAMP_TYPE_LOG_APPEND, batchCodec, computeBatchCrc, iterateRecords,
} from '../../protocol/records/index.js';

/** Cap on a batch's decompressed records when the broker must look inside (a bomb is CORRUPT_MESSAGE). */
export const MAX_INSPECTED_BYTES = 64 << 20;

/** One entry of ProduceResponse record_errors. */
export interface RecordErrorEntry {
  batchIndex: number;
  message: string | null;
}

/** A partition-level rejection with Kafka's per-record detail. */
export interface RecordRejection {
  errorCode: number;
  recordErrors: RecordErrorEntry[];
  errorMessage: string;
}

/** compression.type → target codec id, or null for 'producer' (keep what the producer sent). */
export function targetCodecOf(compressionType: string): number | null {
  switch (compressionType) {
    case 'producer':
      return null;
    case 'uncompressed':
      return CompressionCodec.NONE;
    case 'gzip':
      return CompressionCodec.GZIP;
    case 'snappy':
      return CompressionCodec.SNAPPY;
    case 'lz4':
      return CompressionCodec.LZ4;
    case 'zstd':
      return CompressionCodec.ZSTD;
    default:
      return null;
  }
}

/** Whether the batch must be rewritten for the target codec (control batches never are). */
export function needsRecompression(buf: Buffer, target: number | null): boolean {
  if (target === null) return false;
  const attributes = buf.readInt16BE(ATTRIBUTES);
  return (attributes & COMPRESSION_MASK) !== target && (attributes & CONTROL_FLAG) === 0;
}

/** The batch's records section, decompressed (a view for uncompressed batches). Throws CompressionError. */
function rawRecords(buf: Buffer, limit: number): Buffer {
  return decompress(batchCodec(buf), buf.subarray(RECORDS), limit);
}

/**
 * Walks the records framing of a raw (uncompressed) records section: `count` records whose lengths add
 * up to the section. Calls onTimestampDelta with each record's timestampDelta (a number: exact up to
 * 2^53, which no sane delta reaches). Throws RecordsError on a malformed section. No allocation.
 */
function walkRecords(raw: Buffer, count: number, onTimestampDelta: ((delta: number) => void) | null): void {
  const end = raw.length;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    // length: zigzag varint
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      if (pos >= end || shift > 28) throw new RecordsError(`malformed record ${i} length`, ErrorCode.CORRUPT_MESSAGE);
      b = raw[pos++]!;
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    const length = (v >>> 1) ^ -(v & 1);
    if (length < 0 || length > end - pos) throw new RecordsError(`record ${i} length ${length} runs past the batch`, ErrorCode.CORRUPT_MESSAGE);
    const next = pos + length;
    if (onTimestampDelta !== null) {
      let p = pos + 1; // attributes
      let raw64 = 0;
      let mul = 1;
      do {
        if (p >= next || mul > 2 ** 63) throw new RecordsError(`malformed record ${i} timestamp delta`, ErrorCode.CORRUPT_MESSAGE);
        b = raw[p++]!;
        raw64 += (b & 0x7f) * mul;
        mul *= 128;
      } while (b & 0x80);
      onTimestampDelta(raw64 % 2 === 0 ? raw64 / 2 : -(raw64 + 1) / 2);
    }
    pos = next;
  }
  if (pos !== end) throw new RecordsError(`batch declares ${count} records but holds more bytes`, ErrorCode.CORRUPT_MESSAGE);
}

export interface TimestampBounds {
  /** message.timestamp.before.max.ms; Infinity when at Long.MAX (no bound). */
  beforeMaxMs: number;
  /** message.timestamp.after.max.ms; Infinity when at Long.MAX (no bound). */
  afterMaxMs: number;
  /** Look at every record (a finite before bound); otherwise the after bound is checked on maxTimestamp. */
  scanRecords: boolean;
}

const outOfBounds = (ts: number, now: number, b: TimestampBounds) => ts !== -1 && (now - ts > b.beforeMaxMs || ts - now > b.afterMaxMs);

/**
 * The records-level work for one client batch under CreateTime (bounds given) or LogAppendTime (bounds
 * null), decompressing at most once. Returns the batch to append (the input, or its re-compressed copy),
 * or null when a record timestamp is out of bounds (timestampRejection gives the answer). Throws
 * CompressionError / RecordsError (→ errorCodeFor). Allocation-free when nothing is to be done.
 * Callers skip it entirely when the topic has neither a target codec nor timestamp bounds.
 */
export function inspectBatch(buf: Buffer, target: number | null, compressOptions: CompressOptions, bounds: TimestampBounds | null, now: number, maxBatchBytes: number): Buffer | null {
  let raw: Buffer | null = null;
  if (bounds !== null) {
    // The after bound alone, or a producer batch with the LogAppendTime bit (every record's timestamp is
    // then maxTimestamp, as in Kafka): the batch header's maxTimestamp (what the time index trusts too).
    if (!bounds.scanRecords || (buf.readInt16BE(ATTRIBUTES) & TIMESTAMP_TYPE_LOG_APPEND) !== 0) {
      const maxTs = buf.readInt32BE(MAX_TIMESTAMP) * 0x1_0000_0000 + buf.readUInt32BE(MAX_TIMESTAMP + 4);
      if (outOfBounds(maxTs, now, bounds)) return null;
    } else {
      raw = rawRecords(buf, MAX_INSPECTED_BYTES);
      const base = Number(buf.readBigInt64BE(BASE_TIMESTAMP));
      let bad = false;
      walkRecords(raw, buf.readInt32BE(RECORD_COUNT), (delta) => {
        if (!bad && outOfBounds(base + delta, now, bounds)) bad = true;
      });
      if (bad) return null;
    }
  }
  if (!needsRecompression(buf, target)) return buf;
  // Decompressing for an uncompressed target past max.message.bytes could only end in MESSAGE_TOO_LARGE.
  const limit = target === CompressionCodec.NONE ? Math.max(0, maxBatchBytes - RECORDS) : MAX_INSPECTED_BYTES;
  if (raw === null) {
    try {
      raw = rawRecords(buf, limit);
    } catch (e) {
      if (e instanceof CompressionError && e.reason === 'limit' && target === CompressionCodec.NONE) throw new RecordsError(e.message, ErrorCode.MESSAGE_TOO_LARGE);
      throw e;
    }
    walkRecords(raw, buf.readInt32BE(RECORD_COUNT), null);
  }
  const payload = compress(target!, raw, compressOptions);
  const out = Buffer.allocUnsafe(RECORDS + payload.length);
  buf.copy(out, 0, 0, RECORDS);
  payload.copy(out, RECORDS);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH);
  out.writeInt16BE((buf.readInt16BE(ATTRIBUTES) & ~COMPRESSION_MASK) | target!, ATTRIBUTES);
  out.writeUInt32BE(computeBatchCrc(out, 0, out.length), CRC);
  return out;
}

/** Kafka's ProduceResponse.RecordError toString, as it appears inside error messages. */
const recordErrorString = (e: RecordErrorEntry) => `RecordError(batchIndex=${e.batchIndex}, message=${e.message === null ? 'null' : `'${e.message}'`})`;

/**
 * Every out-of-bounds record of the batch (Kafka's LogValidator.validateTimestamp messages), with the
 * partition error INVALID_TIMESTAMP and Kafka's error_message. Slow path: only for rejected batches.
 */
export function timestampRejection(buf: Buffer, now: number, bounds: TimestampBounds): RecordRejection | null {
  const recordErrors: RecordErrorEntry[] = [];
  let i = 0;
  for (const r of iterateRecords(buf, 0, { verifyCrc: false, maxUncompressedBytes: MAX_INSPECTED_BYTES })) {
    const ts = Number(r.timestamp);
    if (outOfBounds(ts, now, bounds)) {
      recordErrors.push({
        batchIndex: i,
        message: `Timestamp ${r.timestamp} of message with offset ${r.offset} is out of range. The timestamp should be within [${bound(now - bounds.beforeMaxMs)}, ${bound(now + bounds.afterMaxMs)}]`,
      });
    }
    i++;
  }
  if (recordErrors.length === 0) return null; // the header claimed more than the records hold
  return { errorCode: ErrorCode.INVALID_TIMESTAMP, recordErrors, errorMessage: 'One or more records have been rejected due to invalid timestamp' };
}

/**
 * Kafka rejects a producer batch that sets the LogAppendTime bit itself on a LogAppendTime topic:
 * INVALID_TIMESTAMP with a record error per record. Header check; decodes only to list the records.
 */
export function producerLogAppendTimeRejection(buf: Buffer): RecordRejection | null {
  if ((buf.readInt16BE(ATTRIBUTES) & TIMESTAMP_TYPE_LOG_APPEND) === 0) return null;
  const recordErrors: RecordErrorEntry[] = [];
  let i = 0;
  for (const r of iterateRecords(buf, 0, { verifyCrc: false, maxUncompressedBytes: MAX_INSPECTED_BYTES })) {
    const record = `DefaultRecord(offset=${r.offset}, timestamp=${r.timestamp}, key=${r.key?.length ?? 0} bytes, value=${r.value?.length ?? 0} bytes)`;
    recordErrors.push({ batchIndex: i++, message: `Invalid timestamp type in message ${record}. Producer should not set timestamp type to LogAppendTime.` });
  }
  return { errorCode: ErrorCode.INVALID_TIMESTAMP, recordErrors, errorMessage: 'One or more records have been rejected due to invalid timestamp' };
}

/** Java long arithmetic on Long.MAX bounds wraps; print the saturated value instead of "Infinity". */
function bound(v: number): string {
  if (v === Infinity) return '9223372036854775807';
  if (v === -Infinity) return '-9223372036854775808';
  return String(v);
}

/**
 * Kafka's record errors for keyless records on a compacted topic (INVALID_RECORD; the caller downgrades
 * the code for Produce < v8), or null when they cannot be listed (a decode error answers its own code).
 */
export function keylessRejection(batches: Buffer[], topic: string, partition: number, errorCode: number): RecordRejection | null {
  const recordErrors: RecordErrorEntry[] = [];
  try {
    for (const buf of batches) {
      if (buf.readInt16BE(ATTRIBUTES) & CONTROL_FLAG) continue;
      let i = 0;
      for (const r of iterateRecords(buf, 0, { verifyCrc: false, maxUncompressedBytes: MAX_INSPECTED_BYTES })) {
        if (r.key === null) recordErrors.push({ batchIndex: i, message: `Compacted topic cannot accept message without key in topic partition ${topic}-${partition}` });
        i++;
      }
    }
  } catch {
    return null;
  }
  if (recordErrors.length === 0) return null;
  const shown = recordErrors.slice(0, 3).map(recordErrorString).join(', ');
  return {
    errorCode,
    recordErrors,
    errorMessage: `One or more records have been rejected due to ${recordErrors.length} record errors in total, and only showing the first three errors at most: [${shown}]`,
  };
}
