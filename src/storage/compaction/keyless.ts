/**
 * Produce-side check for compacted topics: Kafka rejects a batch holding a record without a key
 * (INVALID_RECORD with record errors from Produce v8, CORRUPT_MESSAGE before). Control batches are
 * the broker's own and are not checked. Decoding is fine here: Kafka decodes these batches too.
 */
import { CONTROL_FLAG, ATTRIBUTES, entrySize } from '../../protocol/records/batch-header.js';
import { iterateRecords } from '../../protocol/records/record-batch.js';

/** Index (within the batch) of the first keyless record of any v2 batch in buf, or -1. */
export function firstKeylessRecord(batchBuf: Buffer): number {
  let pos = 0;
  while (pos < batchBuf.length) {
    const size = entrySize(batchBuf, pos);
    if (size <= 0 || pos + size > batchBuf.length) break;
    if ((batchBuf.readInt16BE(pos + ATTRIBUTES) & CONTROL_FLAG) === 0) {
      let i = 0;
      for (const r of iterateRecords(batchBuf, pos, { verifyCrc: false })) {
        if (r.key === null) return i;
        i++;
      }
    }
    pos += size;
  }
  return -1;
}

/** Whether any non-control record in the v2 batch(es) of batchBuf has a null key. */
export function hasKeylessRecords(batchBuf: Buffer): boolean {
  return firstKeylessRecord(batchBuf) >= 0;
}
