/**
 * Transaction and producer facts the cleaner needs, from one header pass over the range to clean
 * (Brook keeps no transaction index, so this pass plays the part of Kafka's .txnindex):
 *   - which transactional data batches were aborted (their records are removed),
 *   - where the first still-open transaction starts (nothing from there on is cleaned, like
 *     Kafka's first unstable offset),
 *   - the last batch of each producer (kept, possibly empty, so producer state survives).
 * While rewriting, CleanedTxns decides when a COMMIT/ABORT marker may go: only once no data of its
 * transaction is left, and then only after its delete horizon (Kafka's rule).
 */
import {
  ATTRIBUTES,
  BASE_OFFSET,
  CONTROL_FLAG,
  LAST_OFFSET_DELTA,
  PRODUCER_ID,
  TRANSACTIONAL_FLAG,
} from '../../protocol/records/batch-header.js';
import { ControlRecordType, parseControlRecord } from '../../protocol/records/builder.js';
import { iterateRecords } from '../../protocol/records/record-batch.js';
import type { BatchView } from './batches.js';

export interface BatchFacts {
  baseOffset: number;
  lastOffset: number;
  producerId: bigint;
  transactional: boolean;
  control: boolean;
}

export function batchFacts(b: BatchView): BatchFacts {
  const attributes = b.buf.readInt16BE(b.pos + ATTRIBUTES);
  const baseOffset = Number(b.buf.readBigInt64BE(b.pos + BASE_OFFSET));
  return {
    baseOffset,
    lastOffset: baseOffset + b.buf.readInt32BE(b.pos + LAST_OFFSET_DELTA),
    producerId: b.buf.readBigInt64BE(b.pos + PRODUCER_ID),
    transactional: (attributes & TRANSACTIONAL_FLAG) !== 0,
    control: (attributes & CONTROL_FLAG) !== 0,
  };
}

/** The COMMIT/ABORT type of a transaction marker batch, or null for other control batches. */
export function markerType(b: BatchView): number | null {
  for (const r of iterateRecords(b.buf, b.pos)) {
    const c = parseControlRecord(r);
    return c.type === ControlRecordType.COMMIT || c.type === ControlRecordType.ABORT ? c.type : null;
  }
  return null;
}

export class TxnScan {
  /** Base offsets of aborted transactional data batches. */
  readonly aborted = new Set<number>();
  /** producerId → last offset of its last batch in the range. */
  readonly lastBatchOfProducer = new Map<bigint, number>();
  private readonly open = new Map<bigint, { firstOffset: number; batches: number[] }>();

  add(b: BatchView): void {
    const f = batchFacts(b);
    if (f.producerId >= 0n) this.lastBatchOfProducer.set(f.producerId, f.lastOffset);
    if (!f.transactional) return;
    if (!f.control) {
      let txn = this.open.get(f.producerId);
      if (!txn) this.open.set(f.producerId, (txn = { firstOffset: f.baseOffset, batches: [] }));
      txn.batches.push(f.baseOffset);
      return;
    }
    const type = markerType(b);
    const txn = this.open.get(f.producerId);
    if (type === null || !txn) return;
    if (type === ControlRecordType.ABORT) for (const base of txn.batches) this.aborted.add(base);
    this.open.delete(f.producerId);
  }

  /** First offset of a transaction with no marker yet in the range (Infinity when none). */
  firstOpenOffset(): number {
    let first = Infinity;
    for (const t of this.open.values()) first = Math.min(first, t.firstOffset);
    return first;
  }
}

/** Rewrite-time state: whether a marker's transaction still has data in the log being written. */
export class CleanedTxns {
  private readonly withData = new Set<bigint>();

  /** A transactional data batch was read (kept or not, its marker must stay this round). */
  onData(producerId: bigint): void {
    this.withData.add(producerId);
  }

  /** A marker was read: true when no data of its transaction was seen, so it may go after its horizon. */
  onMarker(producerId: bigint): boolean {
    return !this.withData.delete(producerId);
  }
}
