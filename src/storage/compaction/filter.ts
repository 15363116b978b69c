// Storage-only builds (tsc on src/storage/index.ts) reach the codecs through here and need this declaration.
/// <reference path="../../protocol/compression/snappyjs.d.ts" />
/**
 * Per-batch cleaning, pure: which records of one v2 batch survive and the bytes that carry them.
 * Offsets never change: a rewritten batch keeps its baseOffset, lastOffsetDelta (so the producer's
 * last sequence stays right), producer fields, leader epoch and compression codec, with a new CRC.
 *
 * Tombstones and markers of empty transactions use Kafka's delete horizon (KIP-534): the first
 * clean that keeps such a batch rewrites it with the DELETE_HORIZON flag and baseTimestamp =
 * now + delete.retention.ms (record timestamp deltas are recomputed against it, so record
 * timestamps are unchanged); a later clean at or past the horizon removes them.
 */
import {
  COMPRESSION_MASK,
  CONTROL_FLAG,
  DELETE_HORIZON_FLAG,
  TIMESTAMP_TYPE_LOG_APPEND,
  TRANSACTIONAL_FLAG,
  readBatchHeader,
  type BatchHeader,
} from '../../protocol/records/batch-header.js';
import { encodeRecordBatch, iterateRecords, type KafkaRecord } from '../../protocol/records/record-batch.js';

/** key bytes (as a latin1 string, one char per byte) → latest offset for that key in the dirty section. */
export type OffsetMap = Map<string, number>;

export function mapKey(key: Buffer): string {
  return key.toString('latin1');
}

export interface BatchFilter {
  now: number;
  deleteRetentionMs: number;
  map: OffsetMap;
  /** Drop every record (aborted transaction data; a marker whose transaction is empty and past its horizon). */
  discardRecords: boolean;
  /** A COMMIT/ABORT marker whose transaction has no data left: it gets a delete horizon. */
  markerForEmptyTxn: boolean;
  /** Keep the batch header even if no record survives (a producer's last batch, a segment's last batch). */
  retainEmpty: boolean;
}

export interface FilteredBatch {
  /** The bytes to write: the original slice when unchanged, a rebuilt batch, or null when dropped. */
  out: Buffer | null;
  changed: boolean;
  recordsIn: number;
  recordsKept: number;
  /** Delete horizon of the output batch when it still holds tombstones or a marker (null otherwise). */
  horizon: number | null;
}

export function deleteHorizonOf(h: Pick<BatchHeader, 'attributes' | 'baseTimestamp'>): number | null {
  return h.attributes & DELETE_HORIZON_FLAG ? Number(h.baseTimestamp) : null;
}

export function filterBatch(buf: Buffer, pos: number, size: number, f: BatchFilter): FilteredBatch {
  const h = readBatchHeader(buf, pos);
  const control = (h.attributes & CONTROL_FLAG) !== 0;
  const horizon = deleteHorizonOf(h);
  const kept: KafkaRecord[] = [];
  let recordsIn = h.recordCount;
  let tombstones = false;
  if (!f.discardRecords) {
    recordsIn = 0;
    for (const r of iterateRecords(buf, pos, { verifyCrc: false })) {
      recordsIn++;
      if (control) {
        kept.push(r);
        continue;
      }
      if (r.key === null) continue; // keyless records have no place in a compacted log (Kafka drops them too)
      const latest = f.map.get(mapKey(r.key));
      if (latest !== undefined && latest > Number(r.offset)) continue;
      if (r.value === null) {
        if (horizon !== null && f.now >= horizon) continue;
        tombstones = true;
      }
      kept.push(r);
    }
  }
  const needHorizon = (tombstones || (control && f.markerForEmptyTxn && kept.length > 0)) && horizon === null;
  const outHorizon = tombstones || (control && f.markerForEmptyTxn) ? (horizon ?? f.now + f.deleteRetentionMs) : null;
  const result = (out: Buffer | null, changed: boolean): FilteredBatch => ({
    out,
    changed,
    recordsIn,
    recordsKept: out ? kept.length : 0,
    horizon: out && kept.length > 0 ? outHorizon : null,
  });
  if (kept.length === recordsIn && recordsIn > 0 && !needHorizon) return result(buf.subarray(pos, pos + size), false);
  if (kept.length === 0) {
    if (!f.retainEmpty) return result(null, true);
    if (h.recordCount === 0) return result(buf.subarray(pos, pos + size), false);
    return result(emptyBatch(h), true);
  }
  const base = needHorizon ? BigInt(f.now + f.deleteRetentionMs) : h.baseTimestamp;
  const logAppend = (h.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
  let maxTimestamp = logAppend ? h.maxTimestamp : -1n;
  const records = kept.map((r) => {
    const ts = h.baseTimestamp + r.timestampDelta;
    if (!logAppend && ts > maxTimestamp) maxTimestamp = ts;
    return { attributes: r.attributes, timestampDelta: ts - base, offsetDelta: r.offsetDelta, key: r.key, value: r.value, headers: r.headers };
  });
  const out = encodeRecordBatch({
    baseOffset: h.baseOffset,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    attributes: needHorizon ? h.attributes | DELETE_HORIZON_FLAG : h.attributes,
    lastOffsetDelta: h.lastOffsetDelta,
    baseTimestamp: base,
    maxTimestamp,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    records,
  });
  return result(out, true);
}

/** A batch header with no records that keeps the original's offsets and producer state (Kafka's empty batch). */
export function emptyBatch(h: BatchHeader): Buffer {
  const keep = TIMESTAMP_TYPE_LOG_APPEND | TRANSACTIONAL_FLAG | CONTROL_FLAG;
  return encodeRecordBatch({
    baseOffset: h.baseOffset,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    attributes: h.attributes & keep & ~COMPRESSION_MASK,
    lastOffsetDelta: h.lastOffsetDelta,
    baseTimestamp: h.maxTimestamp,
    maxTimestamp: h.maxTimestamp,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    records: [],
  });
}
