/**
 * Format conversion for old clients:
 *  - convertLegacyToV2: Produce v0–v2 carry magic 0/1 message sets; the log stores v2 only.
 *  - convertV2ToLegacy: Fetch v0–v3 consumers expect magic 0/1.
 * Both decode records, so they are off the hot path by construction (only old clients pay).
 */
import { ErrorCode } from '../errors.js';
import { COMPRESSION_MASK, CONTROL_FLAG, NO_PRODUCER_ID, NO_SEQUENCE, TIMESTAMP_TYPE_LOG_APPEND, readBatchHeader } from './batch-header.js';
import { LOG_APPEND_TIME, NO_PARTITION_LEADER_EPOCH, NO_TIMESTAMP, encodeRecordBatch, iterateRecords } from './record-batch.js';
import { LEGACY_ATTRIBUTES, readMessageSet, writeMessageSet, type LegacyReadOptions, type LegacyWriteMessage } from './legacy.js';
import { RecordsError } from './records-error.js';
import { batches } from './validate.js';

export interface LegacyToV2Options extends LegacyReadOptions {
  /** Codec of the v2 batch; default: the codec of the first wrapper message (none when uncompressed). */
  compression?: number;
}

/**
 * One v2 batch holding every message of a legacy message set: keys, values, timestamps and timestamp type
 * kept (v0 has no timestamps: NO_TIMESTAMP). Offsets are kept as deltas from the first message when they
 * strictly increase; otherwise (uncompressed producers send -1 or 0 for every message) they become 0..n-1.
 * The base offset is the first message's offset, or 0 when that is negative (a v1 wrapper sent with
 * offset 0 makes its inner offsets negative); the produce path then assigns real offsets as for v2.
 * Throws RecordsError (CORRUPT_MESSAGE / INVALID_RECORD) or CompressionError; returns null when empty.
 */
export function convertLegacyToV2(buf: Buffer, options: LegacyToV2Options = {}): Buffer | null {
  const messages = readMessageSet(buf, options);
  if (messages.length === 0) return null;
  const codec = options.compression ?? firstCodec(buf);
  const first = messages[0]!.offset;
  const span = messages[messages.length - 1]!.offset - first;
  const increasing = span <= 0x7fffffffn && messages.every((m, i) => i === 0 || m.offset > messages[i - 1]!.offset);
  const deltas = messages.map((m, i) => (increasing ? Number(m.offset - first) : i));
  const base = increasing && first >= 0n ? first : 0n;
  const logAppend = messages[0]!.timestampType === LOG_APPEND_TIME;
  const baseTimestamp = messages[0]!.timestamp;
  const maxTimestamp = messages.reduce((mx, m) => (m.timestamp > mx ? m.timestamp : mx), NO_TIMESTAMP);
  return encodeRecordBatch(
    {
      baseOffset: base,
      partitionLeaderEpoch: NO_PARTITION_LEADER_EPOCH,
      attributes: (codec & COMPRESSION_MASK) | (logAppend ? TIMESTAMP_TYPE_LOG_APPEND : 0),
      lastOffsetDelta: deltas[deltas.length - 1]!,
      baseTimestamp,
      maxTimestamp,
      producerId: NO_PRODUCER_ID,
      producerEpoch: -1,
      baseSequence: NO_SEQUENCE,
      records: messages.map((m, i) => ({
        timestampDelta: m.timestamp - baseTimestamp, offsetDelta: deltas[i]!, key: m.key, value: m.value, headers: [],
      })),
    },
    {},
  );
}

function firstCodec(buf: Buffer): number {
  return buf.length > LEGACY_ATTRIBUTES ? buf.readInt8(LEGACY_ATTRIBUTES) & COMPRESSION_MASK : 0;
}

export interface V2ToLegacyOptions extends LegacyReadOptions {
  /** Codec override for the output; default keeps each batch's codec. */
  compression?: number;
}

/**
 * Converts the v2 batches in a records blob to a magic 0 or 1 message set for Fetch v0–v3, as Kafka's
 * down-conversion does: control batches dropped, headers dropped, each compressed batch becomes one
 * compressed wrapper with the same codec, uncompressed batches become plain messages. A trailing
 * partial batch is dropped. zstd cannot be expressed below magic 2: RecordsError with
 * UNSUPPORTED_COMPRESSION_TYPE, which Kafka answers to such fetches.
 */
export function convertV2ToLegacy(buf: Buffer, magic: 0 | 1, options: V2ToLegacyOptions = {}): Buffer {
  const parts: Buffer[] = [];
  for (const span of batches(buf)) {
    if (span.partial) break;
    if (span.magic !== 2) throw new RecordsError(`expected magic 2, got ${span.magic}`);
    const header = readBatchHeader(buf, span.pos);
    if (header.attributes & CONTROL_FLAG) continue;
    const codec = options.compression ?? header.attributes & COMPRESSION_MASK;
    if (codec === 4) throw new RecordsError('zstd cannot be down-converted', ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    const logAppend = (header.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
    const msgs: LegacyWriteMessage[] = [];
    for (const r of iterateRecords(buf, span.pos, options)) {
      msgs.push({ offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp });
    }
    if (msgs.length > 0) parts.push(writeMessageSet(msgs, { magic, compression: codec, logAppendTime: logAppend }));
  }
  return Buffer.concat(parts);
}
