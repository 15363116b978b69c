/**
 * Full v2 RecordBatch decode/encode, for the places where semantics need records: tests, compaction
 * (keys), transactions (control batches), legacy conversion. The produce → log → fetch path does not
 * come here; it uses batch-header.ts and validate.ts only.
 *
 * Decoding an uncompressed batch does not copy keys, values or header values: they are subarrays of
 * the input. Compressed batches are decompressed once, with an output limit (CompressionError on a bomb).
 */
import { decompress, compress, type CompressOptions } from '../compression/index.js';
import { ErrorCode } from '../errors.js';
import {
  ATTRIBUTES, BASE_OFFSET, BASE_SEQUENCE, BASE_TIMESTAMP, BATCH_HEADER_SIZE, BATCH_LENGTH, COMPRESSION_MASK,
  CONTROL_FLAG, CRC, DELETE_HORIZON_FLAG, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAGIC, MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH, PRODUCER_EPOCH, PRODUCER_ID, RECORDS, RECORD_COUNT, TIMESTAMP_TYPE_LOG_APPEND,
  TRANSACTIONAL_FLAG, batchCrcValid, computeBatchCrc, readBatchHeader, type BatchHeader,
} from './batch-header.js';
import { RecordsError } from './records-error.js';
import { Cursor, varintSize, varlongSize, writeVarint, writeVarlong } from './varint.js';

export const CREATE_TIME = 0;
export const LOG_APPEND_TIME = 1;
export const NO_TIMESTAMP = -1n;
export const NO_PARTITION_LEADER_EPOCH = -1;
/** Default cap on a batch's decompressed records: 64 MiB. Callers pass their own (max.message.bytes based). */
export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 64 << 20;

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  offset: bigint;
  /** Absolute timestamp: baseTimestamp + timestampDelta, or maxTimestamp for LogAppendTime batches. */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  attributes: number;
  offsetDelta: number;
  timestampDelta: bigint;
}

export interface RecordBatch extends BatchHeader {
  compression: number;
  timestampType: 0 | 1;
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizon: boolean;
  records: KafkaRecord[];
}

export interface DecodeOptions {
  /** Cap on the decompressed size of a compressed batch's records (default 64 MiB). */
  maxUncompressedBytes?: number;
  /** Check the CRC-32C first (default true): a mismatch throws RecordsError(CORRUPT_MESSAGE). */
  verifyCrc?: boolean;
}

function decodeRecord(c: Cursor, baseOffset: bigint, baseTs: bigint, logAppendTs: bigint | null): KafkaRecord {
  const length = c.varint();
  if (length < 0) throw new RecordsError(`negative record length ${length}`);
  c.need(length, 'record');
  const end = c.pos + length;
  const body = new Cursor(c.buf, c.pos, end);
  const attributes = body.int8();
  const timestampDelta = body.varlong();
  const offsetDelta = body.varint();
  const key = body.varBytes('record key');
  const value = body.varBytes('record value');
  const headerCount = body.varint();
  if (headerCount < 0) throw new RecordsError(`negative header count ${headerCount}`);
  // Each header takes at least 2 bytes: refuse counts the remaining bytes cannot hold before allocating.
  if (headerCount > body.remaining() / 2) throw new RecordsError(`header count ${headerCount} exceeds record size`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const hk = body.varBytes('header key');
    if (hk === null) throw new RecordsError('null header key');
    headers.push({ key: hk.toString('utf8'), value: body.varBytes('header value') });
  }
  if (body.pos !== end) throw new RecordsError(`record length ${length} does not match its contents`);
  c.pos = end;
  return {
    // int64 arithmetic wraps, as in Java, so hostile deltas cannot produce out-of-range values.
    offset: BigInt.asIntN(64, baseOffset + BigInt(offsetDelta)),
    timestamp: logAppendTs ?? BigInt.asIntN(64, baseTs + timestampDelta),
    key, value, headers, attributes, offsetDelta, timestampDelta,
  };
}

/** Size in bytes (header included) of the v2 batch at pos, after checking it is all there. */
function checkedBatchSize(buf: Buffer, pos: number): number {
  if (buf.length - pos < BATCH_HEADER_SIZE) throw new RecordsError('truncated record batch header');
  const magic = buf.readInt8(pos + MAGIC);
  if (magic !== 2) throw new RecordsError(`expected magic 2, got ${magic}`);
  const size = LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH);
  if (size < BATCH_HEADER_SIZE) throw new RecordsError(`batch length ${size - LOG_OVERHEAD} below the v2 minimum`);
  if (size > buf.length - pos) throw new RecordsError('truncated record batch');
  return size;
}

/** Iterates the records of the v2 batch at pos. Uncompressed: zero-copy views into buf. */
export function* iterateRecords(buf: Buffer, pos = 0, options: DecodeOptions = {}): Generator<KafkaRecord> {
  const size = checkedBatchSize(buf, pos);
  if (options.verifyCrc !== false && !batchCrcValid(buf, pos, size)) throw new RecordsError('record batch CRC mismatch');
  const attributes = buf.readInt16BE(pos + ATTRIBUTES);
  const codec = attributes & COMPRESSION_MASK;
  const count = buf.readInt32BE(pos + RECORD_COUNT);
  if (count < 0) throw new RecordsError(`negative record count ${count}`);
  const baseOffset = buf.readBigInt64BE(pos + BASE_OFFSET);
  const baseTs = buf.readBigInt64BE(pos + BASE_TIMESTAMP);
  const logAppendTs = attributes & TIMESTAMP_TYPE_LOG_APPEND ? buf.readBigInt64BE(pos + MAX_TIMESTAMP) : null;
  let c: Cursor;
  if (codec === 0) {
    c = new Cursor(buf, pos + RECORDS, pos + size);
  } else {
    const limit = options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES;
    const raw = decompress(codec, buf.subarray(pos + RECORDS, pos + size), limit);
    c = new Cursor(raw, 0, raw.length);
  }
  for (let i = 0; i < count; i++) {
    if (c.remaining() === 0) throw new RecordsError(`batch declares ${count} records but holds ${i}`, ErrorCode.CORRUPT_MESSAGE);
    yield decodeRecord(c, baseOffset, baseTs, logAppendTs);
  }
  if (c.remaining() !== 0) throw new RecordsError(`batch declares ${count} records but holds more bytes`);
}

/** Decodes the whole v2 batch at pos. Returns the batch and its size in bytes. */
export function decodeRecordBatch(buf: Buffer, pos = 0, options: DecodeOptions = {}): { batch: RecordBatch; size: number } {
  const size = checkedBatchSize(buf, pos);
  const header = readBatchHeader(buf, pos);
  const records = [...iterateRecords(buf, pos, options)];
  return {
    size,
    batch: {
      ...header,
      compression: header.attributes & COMPRESSION_MASK,
      timestampType: header.attributes & TIMESTAMP_TYPE_LOG_APPEND ? 1 : 0,
      isTransactional: (header.attributes & TRANSACTIONAL_FLAG) !== 0,
      isControl: (header.attributes & CONTROL_FLAG) !== 0,
      hasDeleteHorizon: (header.attributes & DELETE_HORIZON_FLAG) !== 0,
      records,
    },
  };
}

export interface EncodableRecord {
  attributes?: number;
  timestampDelta: bigint;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: ReadonlyArray<{ key: string | Buffer; value: Buffer | null }>;
}

function bytesSize(b: Buffer | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length;
}

function writeBytes(out: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(out, pos, -1);
  pos = writeVarint(out, pos, b.length);
  b.copy(out, pos);
  return pos + b.length;
}

/** The records section (uncompressed) for the given records, exactly as Kafka lays it out. */
export function encodeRecords(records: ReadonlyArray<EncodableRecord>): Buffer {
  const keys = records.map((r) => r.headers.map((h) => (typeof h.key === 'string' ? Buffer.from(h.key, 'utf8') : h.key)));
  const bodySizes = records.map((r, i) => {
    let n = 1 + varlongSize(r.timestampDelta) + varintSize(r.offsetDelta) + bytesSize(r.key) + bytesSize(r.value);
    n += varintSize(r.headers.length);
    r.headers.forEach((h, j) => (n += bytesSize(keys[i]![j]!) + bytesSize(h.value)));
    return n;
  });
  const total = bodySizes.reduce((s, n) => s + varintSize(n) + n, 0);
  const out = Buffer.allocUnsafe(total);
  let p = 0;
  records.forEach((r, i) => {
    p = writeVarint(out, p, bodySizes[i]!);
    out.writeInt8(r.attributes ?? 0, p++);
    p = writeVarlong(out, p, r.timestampDelta);
    p = writeVarint(out, p, r.offsetDelta);
    p = writeBytes(out, p, r.key);
    p = writeBytes(out, p, r.value);
    p = writeVarint(out, p, r.headers.length);
    r.headers.forEach((h, j) => {
      p = writeBytes(out, p, keys[i]![j]!);
      p = writeBytes(out, p, h.value);
    });
  });
  return out;
}

export interface EncodableBatch {
  baseOffset: bigint;
  partitionLeaderEpoch: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  records: ReadonlyArray<EncodableRecord>;
  /** Written as is when given; otherwise records.length. */
  recordCount?: number;
}

/**
 * Writes a v2 batch from explicit header fields (decode → encode reproduces the input byte for byte
 * when the compressed payload is reproducible). Compression is taken from attributes.
 */
export function encodeRecordBatch(batch: EncodableBatch, compressOptions: CompressOptions = {}): Buffer {
  const codec = batch.attributes & COMPRESSION_MASK;
  let payload = encodeRecords(batch.records);
  if (codec !== 0) payload = compress(codec, payload, compressOptions);
  const out = Buffer.allocUnsafe(RECORDS + payload.length);
  out.writeBigInt64BE(batch.baseOffset, BASE_OFFSET);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH);
  out.writeInt32BE(batch.partitionLeaderEpoch, PARTITION_LEADER_EPOCH);
  out.writeInt8(2, MAGIC);
  out.writeInt16BE(batch.attributes, ATTRIBUTES);
  out.writeInt32BE(batch.lastOffsetDelta, LAST_OFFSET_DELTA);
  out.writeBigInt64BE(batch.baseTimestamp, BASE_TIMESTAMP);
  out.writeBigInt64BE(batch.maxTimestamp, MAX_TIMESTAMP);
  out.writeBigInt64BE(batch.producerId, PRODUCER_ID);
  out.writeInt16BE(batch.producerEpoch, PRODUCER_EPOCH);
  out.writeInt32BE(batch.baseSequence, BASE_SEQUENCE);
  out.writeInt32BE(batch.recordCount ?? batch.records.length, RECORD_COUNT);
  payload.copy(out, RECORDS);
  out.writeUInt32BE(computeBatchCrc(out, 0, out.length), CRC);
  return out;
}
