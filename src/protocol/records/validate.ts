/**
 * Produce-path checks that need only the batch header (no decompression), and walking the batches of
 * a records blob. Mirrors what Kafka checks before appending (DefaultRecordBatch.ensureValid,
 * LogValidator.validateBatch for client appends, ProduceRequest's magic-2-only rule), returning Kafka
 * error codes rather than throwing.
 *
 * Kafka answers INVALID_RECORD (87) from Produce v8; for Produce v0–v7 it sends CORRUPT_MESSAGE instead.
 * The handler applies that downgrade (see produceErrorForVersion).
 */
import { CompressionError } from '../compression/index.js';
import { ErrorCode } from '../errors.js';
import {
  ATTRIBUTES, BASE_OFFSET, BASE_SEQUENCE, BATCH_HEADER_SIZE, BATCH_LENGTH, COMPRESSION_MASK, CONTROL_FLAG,
  LAST_OFFSET_DELTA, LOG_OVERHEAD, MAGIC, PRODUCER_ID, RECORDS, RECORD_COUNT, batchCrcValid,
} from './batch-header.js';
import { RecordsError } from './records-error.js';

/** Smallest possible v2 record: length, attributes, timestampDelta, offsetDelta, key, value, header count. */
export const MIN_RECORD_SIZE = 7;
/** Smallest legacy entry: offset + size + crc + magic + attributes + key length + value length. */
const LEGACY_MIN_SIZE = { 0: LOG_OVERHEAD + 14, 1: LOG_OVERHEAD + 22 } as const;

export interface AppendValidationOptions {
  /** Client appends get LogValidator's client checks (default true); the broker's own appends skip them. */
  fromClient?: boolean;
  /** Largest accepted batch in bytes (max.message.bytes); MESSAGE_TOO_LARGE past it. */
  maxBatchBytes?: number;
  /** End of the valid bytes in buf (default buf.length). */
  end?: number;
}

/**
 * Checks the v2 batch at pos for appending; returns ErrorCode.NONE or the Kafka error code to answer.
 * Never throws, never decompresses.
 */
export function validateBatchForAppend(buf: Buffer, pos = 0, options: AppendValidationOptions = {}): number {
  const end = options.end ?? buf.length;
  const available = end - pos;
  if (available < LOG_OVERHEAD + 5) return ErrorCode.CORRUPT_MESSAGE;
  const magic = buf.readInt8(pos + MAGIC);
  if (magic === 0 || magic === 1) return ErrorCode.INVALID_RECORD; // Produce v3+ carries magic 2 only
  if (magic !== 2) return ErrorCode.CORRUPT_MESSAGE;
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH);
  const size = LOG_OVERHEAD + batchLength;
  if (size < BATCH_HEADER_SIZE || size > available) return ErrorCode.CORRUPT_MESSAGE;
  if (options.maxBatchBytes !== undefined && size > options.maxBatchBytes) return ErrorCode.MESSAGE_TOO_LARGE;
  if (!batchCrcValid(buf, pos, size)) return ErrorCode.CORRUPT_MESSAGE;
  const attributes = buf.readInt16BE(pos + ATTRIBUTES);
  const codec = attributes & COMPRESSION_MASK;
  if (codec > 4) return ErrorCode.CORRUPT_MESSAGE;
  const count = buf.readInt32BE(pos + RECORD_COUNT);
  if (count < 0) return ErrorCode.CORRUPT_MESSAGE;
  if (codec === 0 && count > (size - RECORDS) / MIN_RECORD_SIZE) return ErrorCode.CORRUPT_MESSAGE;
  if (options.fromClient === false) return ErrorCode.NONE;
  // LogValidator.validateBatch, client origin.
  const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA);
  if (lastOffsetDelta < 0 || count <= 0 || count !== lastOffsetDelta + 1) return ErrorCode.INVALID_RECORD;
  if (attributes & CONTROL_FLAG) return ErrorCode.INVALID_RECORD;
  if (buf.readBigInt64BE(pos + PRODUCER_ID) >= 0n && buf.readInt32BE(pos + BASE_SEQUENCE) < 0) {
    return ErrorCode.INVALID_RECORD;
  }
  // UnifiedLog.analyzeAndValidateRecords: a client's v2 batch starts at offset 0.
  if (buf.readBigInt64BE(pos + BASE_OFFSET) !== 0n) return ErrorCode.INVALID_RECORD;
  return ErrorCode.NONE;
}

/** Produce v0–v7 predate INVALID_RECORD: Kafka answers CORRUPT_MESSAGE to them. */
export function produceErrorForVersion(code: number, produceVersion: number): number {
  return code === ErrorCode.INVALID_RECORD && produceVersion < 8 ? ErrorCode.CORRUPT_MESSAGE : code;
}

export interface BatchSpan {
  pos: number;
  /** Whole entry size (LOG_OVERHEAD + length), or the bytes available when partial. */
  size: number;
  /** int8 at the magic position; -1 when even that is missing. */
  magic: number;
  /** The walk stops here: the entry runs past the end of the blob (a fetch response may end with one)… */
  partial: boolean;
  /** …or its length field cannot be a real entry (negative, or below the format's minimum). */
  corrupt: boolean;
}

/**
 * Walks the entries (v2 batches or legacy messages) of a records blob by their length fields only.
 * A trailing partial entry is yielded with partial=true and ends the walk; so does a length field
 * that cannot be a real entry (negative or below the format's minimum), with corrupt=true as well.
 */
export function* batches(buf: Buffer, start = 0, end = buf.length): Generator<BatchSpan> {
  let pos = start;
  while (pos < end) {
    const available = end - pos;
    const magic = available > MAGIC ? buf.readInt8(pos + MAGIC) : -1;
    if (available < LOG_OVERHEAD) {
      yield { pos, size: available, magic, partial: true, corrupt: false };
      return;
    }
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH);
    const min = magic === 2 ? BATCH_HEADER_SIZE : magic === 0 || magic === 1 ? LEGACY_MIN_SIZE[magic] : LOG_OVERHEAD;
    if (size > available || size < min) {
      yield { pos, size: available, magic, partial: true, corrupt: size < min };
      return;
    }
    yield { pos, size, magic, partial: false, corrupt: false };
    pos += size;
  }
}

/** Callback form of batches(); returns the end position of the last whole entry. */
export function forEachBatch(buf: Buffer, cb: (pos: number, size: number, magic: number) => void): number {
  let last = 0;
  for (const b of batches(buf)) {
    if (b.partial) break;
    cb(b.pos, b.size, b.magic);
    last = b.pos + b.size;
  }
  return last;
}

/** The Kafka error code to answer for an error thrown by records or compression code. */
export function errorCodeFor(e: unknown): number {
  if (e instanceof RecordsError) return e.errorCode;
  if (e instanceof CompressionError) return ErrorCode.CORRUPT_MESSAGE;
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}
