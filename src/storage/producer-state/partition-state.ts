/**
 * Producer state of one partition (Kafka's ProducerStateManager + ProducerAppendInfo rules), pure:
 * no I/O, no clock. The service (service.ts) feeds it batch headers before and after appending.
 *
 * - checkAppend(): validates a produce request's batches against the state without changing it and
 *   returns a plan (append), the original offsets (duplicate of one of the last five batches) or an
 *   error code: INVALID_PRODUCER_EPOCH for an older epoch, OUT_OF_ORDER_SEQUENCE_NUMBER for a gap or
 *   a new epoch not starting at 0, INVALID_TXN_STATE for a plain batch inside an open transaction
 *   (or a transactional batch the verifier rejects).
 * - commit(): applies a plan once the log assigned offsets; replayBatch()/applyMarker() rebuild
 *   the same state from the log at start.
 * - Open transactions (first offset per producer, in start order) give the first unstable offset;
 *   ABORT markers add to the aborted-transaction index read_committed fetches return.
 */
import { ErrorCode } from '../../protocol/errors.js';
import {
  type AbortedTxn, type BatchInfo, type BatchMetadata, type ProducerEntry, NO_PRODUCER_EPOCH, addBatch, cloneEntry,
  emptyEntry, findDuplicate, inSequence, incrementSequence, lastSequence, setEpoch,
} from './entry.js';

/** Decides whether a transactional batch may open a transaction here (KIP-890 verification). */
export type TxnVerifier = (producerId: bigint, epoch: number) => number;

interface PlannedBatch {
  info: BatchInfo;
  /** Offset of the batch's first record relative to the first appended offset. */
  rel: number;
}

export type AppendCheck =
  | { kind: 'append'; batches: PlannedBatch[] }
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number; timestamp: number }
  | { kind: 'error'; errorCode: number; message: string };

export interface CompletedTxn {
  producerId: bigint;
  firstOffset: number;
  lastOffset: number;
  aborted: boolean;
}

const fail = (errorCode: number, message: string): AppendCheck => ({ kind: 'error', errorCode, message });

export class PartitionProducerState {
  private readonly producers = new Map<bigint, ProducerEntry>();
  /** producerId → first offset of its open transaction; insertion order is offset order. */
  private readonly ongoing = new Map<bigint, number>();
  /** By lastOffset ascending. */
  private aborted: AbortedTxn[] = [];

  constructor(readonly name = '') {}

  get(producerId: bigint): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  entries(): IterableIterator<ProducerEntry> {
    return this.producers.values();
  }

  /** Validates client batches (in request order) without changing any state. */
  checkAppend(batches: readonly BatchInfo[], verify?: TxnVerifier): AppendCheck {
    const staged = new Map<bigint, ProducerEntry>();
    const planned: PlannedBatch[] = [];
    let rel = 0;
    for (const info of batches) {
      const thisRel = rel;
      rel += info.lastOffsetDelta + 1;
      if (info.producerId < 0n) {
        planned.push({ info, rel: thisRel });
        continue;
      }
      const current = this.producers.get(info.producerId);
      if (current && !staged.has(info.producerId)) {
        const dup = findDuplicate(current, info);
        if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset, timestamp: dup.timestamp };
      }
      const entry = staged.get(info.producerId) ?? (current ? cloneEntry(current) : emptyEntry(info.producerId));
      const where = `producer ${info.producerId} in ${this.name}`;
      if (info.epoch < entry.epoch) {
        return fail(ErrorCode.INVALID_PRODUCER_EPOCH, `epoch ${info.epoch} of ${where} is older than the last seen epoch ${entry.epoch}`);
      }
      if (info.epoch !== entry.epoch) {
        if (info.baseSequence !== 0 && entry.epoch !== NO_PRODUCER_EPOCH) {
          return fail(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `new epoch ${info.epoch} of ${where} must start at sequence 0, not ${info.baseSequence}`);
        }
      } else if (current && current.epoch !== NO_PRODUCER_EPOCH) {
        const last = lastSequence(entry);
        if (!inSequence(last, info.baseSequence)) {
          return fail(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `out of order sequence ${info.baseSequence} for ${where}, expected ${last + 1}`);
        }
      }
      if (entry.currentTxnFirstOffset >= 0 && !info.transactional) {
        return fail(ErrorCode.INVALID_TXN_STATE, `expected a transactional batch from ${where}`);
      }
      if (entry.currentTxnFirstOffset < 0 && info.transactional && verify) {
        const code = verify(info.producerId, info.epoch);
        if (code !== ErrorCode.NONE) return fail(code, `${where} has no ongoing transaction with this partition`);
      }
      applyData(entry, info, thisRel);
      staged.set(info.producerId, entry);
      planned.push({ info, rel: thisRel });
    }
    return { kind: 'append', batches: planned };
  }

  /** Applies a checked plan; firstOffset is the offset the log gave the first batch. */
  commit(plan: { batches: PlannedBatch[] }, firstOffset: number): void {
    for (const { info, rel } of plan.batches) if (info.producerId >= 0n) this.replayBatch(info, firstOffset + rel);
  }

  /** Applies a data batch found in (or just appended to) the log at baseOffset, without checks. */
  replayBatch(info: BatchInfo, baseOffset: number): void {
    if (info.producerId < 0n || info.control) return;
    let entry = this.producers.get(info.producerId);
    if (!entry) this.producers.set(info.producerId, (entry = emptyEntry(info.producerId)));
    const wasOpen = entry.currentTxnFirstOffset >= 0;
    applyData(entry, info, baseOffset);
    if (!wasOpen && entry.currentTxnFirstOffset >= 0) this.ongoing.set(info.producerId, entry.currentTxnFirstOffset);
  }

  /** Error code for writing an end-transaction marker now (NONE if it may be written). */
  checkMarker(producerId: bigint, epoch: number, coordinatorEpoch: number): number {
    const entry = this.producers.get(producerId);
    if (!entry) return ErrorCode.NONE;
    if (epoch < entry.epoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (coordinatorEpoch < entry.coordinatorEpoch) return ErrorCode.TRANSACTION_COORDINATOR_FENCED;
    return ErrorCode.NONE;
  }

  /** Applies a COMMIT/ABORT marker at `offset`; returns the transaction it closed, if one was open. */
  applyMarker(producerId: bigint, epoch: number, commit: boolean, coordinatorEpoch: number, offset: number, timestamp: number): CompletedTxn | null {
    let entry = this.producers.get(producerId);
    if (!entry) this.producers.set(producerId, (entry = emptyEntry(producerId)));
    const first = entry.currentTxnFirstOffset;
    setEpoch(entry, epoch);
    entry.coordinatorEpoch = coordinatorEpoch;
    entry.currentTxnFirstOffset = -1;
    entry.lastTimestamp = timestamp;
    if (first < 0) return null;
    this.ongoing.delete(producerId);
    if (!commit) this.aborted.push({ producerId, firstOffset: first, lastOffset: offset });
    return { producerId, firstOffset: first, lastOffset: offset, aborted: !commit };
  }

  /** First offset of the earliest open transaction, or null. */
  firstUnstableOffset(): number | null {
    for (const first of this.ongoing.values()) return first;
    return null;
  }

  /** The offset read_committed consumers may read up to (exclusive). */
  lastStableOffset(highWatermark: number): number {
    const fuo = this.firstUnstableOffset();
    return fuo === null ? highWatermark : Math.min(fuo, highWatermark);
  }

  /** Open transactions: producer id → first offset. */
  openTransactions(): ReadonlyMap<bigint, number> {
    return this.ongoing;
  }

  /** Aborted transactions overlapping [fetchOffset, upperBound): their marker at or after fetchOffset, start before upperBound. */
  abortedTransactions(fetchOffset: number, upperBound: number): AbortedTxn[] {
    const a = this.aborted;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]!.lastOffset < fetchOffset) lo = mid + 1;
      else hi = mid;
    }
    const out: AbortedTxn[] = [];
    for (let i = lo; i < a.length; i++) if (a[i]!.firstOffset < upperBound) out.push(a[i]!);
    return out;
  }

  /** Forgets aborted transactions wholly below the log start offset. */
  truncateBelow(logStartOffset: number): void {
    if (this.aborted.length > 0 && this.aborted[0]!.lastOffset < logStartOffset) {
      this.aborted = this.aborted.filter((t) => t.lastOffset >= logStartOffset);
    }
  }

  /** Drops producers idle for longer than expirationMs (by batch timestamp) with no open transaction. */
  removeExpired(now: number, expirationMs: number): number {
    let removed = 0;
    for (const [pid, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0 && e.lastTimestamp >= 0 && now - e.lastTimestamp > expirationMs) {
        this.producers.delete(pid);
        removed++;
      }
    }
    return removed;
  }
}

function applyData(entry: ProducerEntry, info: BatchInfo, firstOffset: number): void {
  const meta: BatchMetadata = {
    firstSeq: info.baseSequence,
    lastSeq: incrementSequence(info.baseSequence, info.lastOffsetDelta),
    firstOffset,
    lastOffset: firstOffset + info.lastOffsetDelta,
    timestamp: info.maxTimestamp,
  };
  addBatch(entry, info.epoch, meta);
  if (info.transactional && entry.currentTxnFirstOffset < 0) entry.currentTxnFirstOffset = firstOffset;
}
