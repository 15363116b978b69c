/**
 * buildRecordBatch: records in, a complete v2 batch with a correct CRC-32C out — for tests, the
 * broker's own records (control markers, re-compression, legacy conversion) and internal topics.
 * Follows the Java producer's layout: baseTimestamp is the first record's timestamp, maxTimestamp the
 * largest, offset deltas 0..n-1 unless given.
 */
import { type CompressOptions } from '../compression/index.js';
import { CONTROL_FLAG, NO_PRODUCER_ID, NO_SEQUENCE, TIMESTAMP_TYPE_LOG_APPEND, TRANSACTIONAL_FLAG } from './batch-header.js';
import {
  LOG_APPEND_TIME, NO_PARTITION_LEADER_EPOCH, NO_TIMESTAMP, encodeRecordBatch, type EncodableRecord,
  type KafkaRecord,
} from './record-batch.js';
import { RecordsError } from './records-error.js';

export type Bytes = Buffer | string | null | undefined;

export interface RecordInput {
  key?: Bytes;
  value?: Bytes;
  headers?: ReadonlyArray<{ key: string; value: Bytes }> | Readonly<Record<string, Bytes>>;
  timestamp?: bigint | number;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
}

export interface BuildBatchOptions {
  baseOffset?: bigint | number;
  records: ReadonlyArray<RecordInput>;
  compression?: number;
  compressOptions?: CompressOptions;
  producerId?: bigint | number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  partitionLeaderEpoch?: number;
  /** 0 CreateTime (default) or 1 LogAppendTime. */
  timestampType?: 0 | 1;
  /** Timestamp for records that have none, and the batch's maxTimestamp under LogAppendTime. */
  defaultTimestamp?: bigint | number;
}

function toBuffer(b: Bytes): Buffer | null {
  if (b === null || b === undefined) return null;
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
}

function toHeaders(h: RecordInput['headers']): Array<{ key: string; value: Buffer | null }> {
  if (h === undefined) return [];
  const entries: Array<[string, Bytes]> = Array.isArray(h)
    ? (h as ReadonlyArray<{ key: string; value: Bytes }>).map((x) => [x.key, x.value])
    : Object.entries(h as Record<string, Bytes>);
  return entries.map(([key, value]) => ({ key, value: toBuffer(value) }));
}

export function buildRecordBatch(options: BuildBatchOptions): Buffer {
  const { records } = options;
  if (records.length === 0) throw new RecordsError('a record batch needs at least one record');
  const fallbackTs = BigInt(options.defaultTimestamp ?? NO_TIMESTAMP);
  const timestamps = records.map((r) => (r.timestamp === undefined ? fallbackTs : BigInt(r.timestamp)));
  const baseTimestamp = timestamps[0]!;
  let maxTimestamp = timestamps.reduce((m, t) => (t > m ? t : m), timestamps[0]!);
  const logAppend = options.timestampType === LOG_APPEND_TIME;
  if (logAppend) maxTimestamp = fallbackTs;
  const encodable: EncodableRecord[] = records.map((r, i) => ({
    timestampDelta: timestamps[i]! - baseTimestamp,
    offsetDelta: r.offsetDelta ?? i,
    key: toBuffer(r.key),
    value: toBuffer(r.value),
    headers: toHeaders(r.headers),
  }));
  const lastOffsetDelta = encodable.reduce((m, r) => Math.max(m, r.offsetDelta), 0);
  let attributes = (options.compression ?? 0) & 0x07;
  if (logAppend) attributes |= TIMESTAMP_TYPE_LOG_APPEND;
  if (options.transactional) attributes |= TRANSACTIONAL_FLAG;
  if (options.control) attributes |= CONTROL_FLAG;
  return encodeRecordBatch(
    {
      baseOffset: BigInt(options.baseOffset ?? 0),
      partitionLeaderEpoch: options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
      attributes,
      lastOffsetDelta,
      baseTimestamp,
      maxTimestamp,
      producerId: BigInt(options.producerId ?? NO_PRODUCER_ID),
      producerEpoch: options.producerEpoch ?? -1,
      baseSequence: options.baseSequence ?? NO_SEQUENCE,
      records: encodable,
    },
    options.compressOptions,
  );
}

/** Control record types (the int16 `type` in a control record's key). */
export const ControlRecordType = {
  ABORT: 0,
  COMMIT: 1,
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
  KRAFT_VERSION: 5,
  KRAFT_VOTERS: 6,
} as const;

export interface ControlRecord {
  version: number;
  type: number;
  /** For ABORT/COMMIT (EndTxnMarker value): the transaction coordinator's epoch. */
  coordinatorEpoch?: number;
}

/** Parses the key (and, for transaction markers, the value) of a record in a control batch. */
export function parseControlRecord(record: Pick<KafkaRecord, 'key' | 'value'>): ControlRecord {
  const { key, value } = record;
  if (key === null || key.length < 4) throw new RecordsError('control record key shorter than 4 bytes');
  const out: ControlRecord = { version: key.readInt16BE(0), type: key.readInt16BE(2) };
  if (out.type === ControlRecordType.ABORT || out.type === ControlRecordType.COMMIT) {
    if (value === null || value.length < 6) throw new RecordsError('end transaction marker value shorter than 6 bytes');
    out.coordinatorEpoch = value.readInt32BE(2);
  }
  return out;
}

export interface EndTxnMarkerOptions {
  baseOffset?: bigint | number;
  producerId: bigint | number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  timestamp: bigint | number;
  partitionLeaderEpoch?: number;
}

/** A transactional control batch with one COMMIT or ABORT marker, as the broker writes on WriteTxnMarkers. */
export function buildEndTxnMarkerBatch(o: EndTxnMarkerOptions): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(o.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(o.coordinatorEpoch, 2);
  return buildRecordBatch({
    baseOffset: o.baseOffset,
    records: [{ key, value, timestamp: o.timestamp }],
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    transactional: true,
    control: true,
    partitionLeaderEpoch: o.partitionLeaderEpoch,
  });
}
