/**
 * Reading batch headers back from a partition log: the rebuild of producer state at start, and
 * building the header view (BatchInfo) of a batch about to be appended.
 */
import {
  ATTRIBUTES, BASE_OFFSET, BASE_SEQUENCE, CONTROL_FLAG, LAST_OFFSET_DELTA, MAX_TIMESTAMP, PRODUCER_EPOCH, PRODUCER_ID,
  TRANSACTIONAL_FLAG, batches, iterateRecords, parseControlRecord, ControlRecordType,
} from '../../protocol/records/index.js';
import type { PartitionLog } from '../engine.js';
import type { BatchInfo } from './entry.js';

export function batchInfo(buf: Buffer, pos = 0): BatchInfo {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES);
  return {
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID),
    epoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA),
    transactional: (attributes & TRANSACTIONAL_FLAG) !== 0,
    control: (attributes & CONTROL_FLAG) !== 0,
    maxTimestamp: Number(buf.readBigInt64BE(pos + MAX_TIMESTAMP)),
  };
}

export interface ScannedBatch {
  baseOffset: number;
  info: BatchInfo;
  /** For a control batch: COMMIT/ABORT and the coordinator epoch of its marker (null otherwise). */
  marker: { commit: boolean; coordinatorEpoch: number } | null;
}

/** The marker in a control batch, or null when it is not a transaction marker. */
export function readMarker(buf: Buffer, pos: number): { commit: boolean; coordinatorEpoch: number } | null {
  for (const record of iterateRecords(buf, pos, { verifyCrc: false })) {
    const c = parseControlRecord(record);
    if (c.type !== ControlRecordType.COMMIT && c.type !== ControlRecordType.ABORT) return null;
    return { commit: c.type === ControlRecordType.COMMIT, coordinatorEpoch: c.coordinatorEpoch ?? 0 };
  }
  return null;
}

const SCAN_BYTES = 1 << 20;

/**
 * Every v2 batch with a producer id from `from` to the log end as it is when the scan reaches it.
 * Batches without a producer id are skipped after reading their header only.
 */
export async function* scanProducerBatches(log: PartitionLog, from = log.logStartOffset()): AsyncGenerator<ScannedBatch> {
  let offset = Math.max(from, log.logStartOffset());
  while (offset < log.logEndOffset()) {
    const { chunks } = await log.read(offset, SCAN_BYTES, true);
    if (chunks.length === 0) break;
    const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    let next = offset;
    for (const b of batches(buf)) {
      if (b.partial) break;
      const baseOffset = Number(buf.readBigInt64BE(b.pos + BASE_OFFSET));
      if (b.magic !== 2) {
        next = baseOffset + 1; // legacy entries never carry producer state
        continue;
      }
      const info = batchInfo(buf, b.pos);
      next = baseOffset + info.lastOffsetDelta + 1;
      if (baseOffset < offset || info.producerId < 0n) continue;
      const marker = info.control ? readMarker(buf, b.pos) : null;
      yield { baseOffset, info, marker };
    }
    if (next <= offset) break; // nothing whole came back
    offset = next;
  }
}
