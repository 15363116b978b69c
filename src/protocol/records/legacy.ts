/**
 * Legacy message sets (magic 0 and 1), read and written. Used only for Produce v0–v2 (converted to v2
 * on arrival) and Fetch v0–v3 (v2 converted down on the way out).
 *
 * Entry: offset int64, size int32, then the message: crc uint32 (CRC-32 IEEE over magic..end), magic
 * int8, attributes int8 (codec in bits 0–2; bit 3 LogAppendTime, v1 only), timestamp int64 (v1 only),
 * key and value as int32-length bytes (-1 = null).
 *
 * A compressed message is a wrapper whose value is a compressed message set. The wrapper's offset is the
 * absolute offset of its last inner message; v1 inner offsets are relative (0..n-1), v0 inner offsets
 * absolute. Inner messages may not themselves be compressed (Kafka rejects it), so nesting is one level.
 */
import zlib from 'node:zlib';
import CRC32 from 'crc-32';
import { compress, decompress } from '../compression/index.js';
import { ErrorCode } from '../errors.js';
import { LOG_OVERHEAD } from './batch-header.js';
import { DEFAULT_MAX_UNCOMPRESSED_BYTES, NO_TIMESTAMP } from './record-batch.js';
import { RecordsError } from './records-error.js';

export const LEGACY_CRC = LOG_OVERHEAD; // uint32
export const LEGACY_MAGIC = LOG_OVERHEAD + 4; // int8
export const LEGACY_ATTRIBUTES = LOG_OVERHEAD + 5; // int8
/** Message header after the entry overhead: crc, magic, attributes (+ timestamp for v1). */
export const legacyHeaderSize = (magic: 0 | 1): number => (magic === 0 ? 6 : 14);

const nodeCrc32 = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
/** CRC-32 (IEEE), the legacy message checksum; zlib's native one on Node ≥ 20.15. */
export const crc32ieee: (b: Uint8Array) => number = nodeCrc32
  ? (b) => nodeCrc32(b) >>> 0
  : (b) => CRC32.buf(b) >>> 0;

export interface LegacyMessage {
  /** Absolute offset (wrappers expanded). */
  offset: bigint;
  magic: 0 | 1;
  attributes: number;
  /** NO_TIMESTAMP (-1) for magic 0. For LogAppendTime wrappers, the wrapper's timestamp. */
  timestamp: bigint;
  timestampType: 0 | 1;
  key: Buffer | null;
  value: Buffer | null;
}

export interface LegacyReadOptions {
  maxUncompressedBytes?: number;
  verifyCrc?: boolean;
}

interface RawEntry {
  offset: bigint;
  magic: 0 | 1;
  attributes: number;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  size: number;
}

function readBytes(buf: Buffer, pos: number, end: number, what: string): [Buffer | null, number] {
  if (end - pos < 4) throw new RecordsError(`truncated ${what} length`);
  const len = buf.readInt32BE(pos);
  pos += 4;
  if (len === -1) return [null, pos];
  if (len < -1 || len > end - pos) throw new RecordsError(`bad ${what} length ${len}`);
  return [buf.subarray(pos, pos + len), pos + len];
}

/** Reads one legacy entry at pos (views, no copies). */
function readEntry(buf: Buffer, pos: number, end: number, verifyCrc: boolean): RawEntry {
  if (end - pos < LOG_OVERHEAD + 6) throw new RecordsError('truncated legacy message');
  const size = LOG_OVERHEAD + buf.readInt32BE(pos + 8);
  const magic = buf.readInt8(pos + LEGACY_MAGIC);
  if (magic !== 0 && magic !== 1) throw new RecordsError(`expected magic 0 or 1, got ${magic}`);
  const min = LOG_OVERHEAD + legacyHeaderSize(magic) + 8;
  if (size < min || size > end - pos) throw new RecordsError(`bad legacy message size ${size - LOG_OVERHEAD}`);
  const msgEnd = pos + size;
  if (verifyCrc && buf.readUInt32BE(pos + LEGACY_CRC) !== crc32ieee(buf.subarray(pos + LEGACY_MAGIC, msgEnd))) {
    throw new RecordsError('legacy message CRC mismatch');
  }
  const attributes = buf.readInt8(pos + LEGACY_ATTRIBUTES);
  const timestamp = magic === 1 ? buf.readBigInt64BE(pos + LOG_OVERHEAD + 6) : NO_TIMESTAMP;
  let p = pos + LOG_OVERHEAD + legacyHeaderSize(magic);
  let key: Buffer | null;
  let value: Buffer | null;
  [key, p] = readBytes(buf, p, msgEnd, 'key');
  [value, p] = readBytes(buf, p, msgEnd, 'value');
  if (p !== msgEnd) throw new RecordsError('legacy message size does not match its contents');
  return { offset: buf.readBigInt64BE(pos), magic, attributes, timestamp, key, value, size };
}

/**
 * Reads a legacy message set, expanding compressed wrappers, with absolute offsets. A trailing partial
 * entry (as in fetch responses) is ignored; any other malformation throws RecordsError.
 */
export function readMessageSet(buf: Buffer, options: LegacyReadOptions = {}): LegacyMessage[] {
  const verifyCrc = options.verifyCrc !== false;
  let budget = options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES;
  const out: LegacyMessage[] = [];
  let pos = 0;
  while (buf.length - pos >= LOG_OVERHEAD && LOG_OVERHEAD + buf.readInt32BE(pos + 8) <= buf.length - pos) {
    const e = readEntry(buf, pos, buf.length, verifyCrc);
    pos += e.size;
    const codec = e.attributes & 0x07;
    const tsType = e.magic === 1 && e.attributes & 0x08 ? 1 : 0;
    if (codec === 0) {
      out.push({ offset: e.offset, magic: e.magic, attributes: e.attributes, timestamp: e.timestamp, timestampType: tsType, key: e.key, value: e.value });
      continue;
    }
    if (codec > 3) {
      throw codec === 4
        ? new RecordsError('zstd needs magic 2', ErrorCode.UNSUPPORTED_COMPRESSION_TYPE)
        : new RecordsError(`unknown compression codec ${codec}`);
    }
    if (e.value === null) throw new RecordsError('compressed wrapper message without a value');
    const inner = decompress(codec, e.value, budget);
    budget -= inner.length;
    const innerMsgs: RawEntry[] = [];
    for (let p = 0; p < inner.length; ) {
      const m = readEntry(inner, p, inner.length, verifyCrc);
      if (m.magic !== e.magic) throw new RecordsError('inner message magic differs from its wrapper', ErrorCode.INVALID_RECORD);
      if (m.attributes & 0x07) throw new RecordsError('nested compressed message', ErrorCode.INVALID_RECORD);
      innerMsgs.push(m);
      p += m.size;
    }
    if (innerMsgs.length === 0) throw new RecordsError('compressed wrapper holds no messages');
    // v1: inner offsets are relative; the wrapper carries the last inner message's absolute offset.
    const shift = e.magic === 1 ? e.offset - innerMsgs[innerMsgs.length - 1]!.offset : 0n;
    for (const m of innerMsgs) {
      out.push({
        offset: m.offset + shift, magic: m.magic, attributes: m.attributes,
        timestamp: tsType === 1 ? e.timestamp : m.timestamp, timestampType: tsType, key: m.key, value: m.value,
      });
    }
  }
  return out;
}

export interface LegacyWriteMessage {
  offset: bigint | number;
  key: Buffer | null;
  value: Buffer | null;
  /** Ignored for magic 0. */
  timestamp?: bigint | number;
}

export interface LegacyWriteOptions {
  magic: 0 | 1;
  compression?: number;
  /** v1 only: mark LogAppendTime (wrapper timestamp then applies to every message). */
  logAppendTime?: boolean;
}

function encodeMessage(offset: bigint, magic: 0 | 1, attributes: number, timestamp: bigint, key: Buffer | null, value: Buffer | null): Buffer {
  const body = legacyHeaderSize(magic) + 8 + (key?.length ?? 0) + (value?.length ?? 0);
  const out = Buffer.allocUnsafe(LOG_OVERHEAD + body);
  out.writeBigInt64BE(offset, 0);
  out.writeInt32BE(body, 8);
  out.writeInt8(magic, LEGACY_MAGIC);
  out.writeInt8(attributes, LEGACY_ATTRIBUTES);
  let p = LEGACY_ATTRIBUTES + 1;
  if (magic === 1) p = out.writeBigInt64BE(timestamp, p);
  for (const b of [key, value]) {
    p = out.writeInt32BE(b === null ? -1 : b.length, p);
    if (b !== null) p += b.copy(out, p);
  }
  out.writeUInt32BE(crc32ieee(out.subarray(LEGACY_MAGIC)), LEGACY_CRC);
  return out;
}

/**
 * Writes messages as a legacy message set; with compression, one wrapper holding them all (offsets as
 * Kafka writes them: v1 inner relative to the first, v0 absolute; wrapper = last absolute offset).
 */
export function writeMessageSet(messages: ReadonlyArray<LegacyWriteMessage>, options: LegacyWriteOptions): Buffer {
  const { magic } = options;
  const codec = options.compression ?? 0;
  const tsAttr = magic === 1 && options.logAppendTime ? 0x08 : 0;
  const ts = (m: LegacyWriteMessage) => (magic === 1 ? BigInt(m.timestamp ?? NO_TIMESTAMP) : NO_TIMESTAMP);
  if (codec === 0 || messages.length === 0) {
    return Buffer.concat(messages.map((m) => encodeMessage(BigInt(m.offset), magic, tsAttr, ts(m), m.key, m.value)));
  }
  if (codec === 4) throw new RecordsError('zstd needs magic 2', ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  const first = BigInt(messages[0]!.offset);
  const inner = Buffer.concat(
    messages.map((m) => encodeMessage(magic === 1 ? BigInt(m.offset) - first : BigInt(m.offset), magic, 0, ts(m), m.key, m.value)),
  );
  // KAFKA-3160: magic 0 LZ4 keeps the old (broken) frame header checksum that pre-0.10 readers expect.
  const payload = compress(codec, inner, { lz4BrokenHeaderChecksum: magic === 0 });
  const maxTs = messages.reduce((mx, m) => (ts(m) > mx ? ts(m) : mx), NO_TIMESTAMP);
  const last = BigInt(messages[messages.length - 1]!.offset);
  return encodeMessage(last, magic, codec | tsAttr, maxTs, null, payload);
}
