/**
 * One producer's state in one partition: its epoch, the first/last sequence and offsets of its last
 * five batches (duplicate detection), its coordinator epoch and the first offset of its open
 * transaction. Plain data plus small pure helpers; the rules live in partition-state.ts.
 */

export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
/** Kafka keeps the metadata of the last five batches per producer (max.in.flight.requests ≤ 5). */
export const BATCHES_TO_RETAIN = 5;
const INT32_MAX = 0x7fffffff;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  /** The batch's max timestamp. */
  timestamp: number;
}

export interface ProducerEntry {
  producerId: bigint;
  epoch: number;
  /** Oldest first, at most BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
  coordinatorEpoch: number;
  /** First offset of the producer's open transaction in this partition, -1 when none. */
  currentTxnFirstOffset: number;
  lastTimestamp: number;
}

/** What the producer-state rules need from a batch header. */
export interface BatchInfo {
  producerId: bigint;
  epoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
  transactional: boolean;
  control: boolean;
  maxTimestamp: number;
}

export interface AbortedTxn {
  producerId: bigint;
  firstOffset: number;
  /** Offset of the ABORT marker. */
  lastOffset: number;
}

export function emptyEntry(producerId: bigint): ProducerEntry {
  return { producerId, epoch: NO_PRODUCER_EPOCH, batches: [], coordinatorEpoch: -1, currentTxnFirstOffset: -1, lastTimestamp: -1 };
}

export function cloneEntry(e: ProducerEntry): ProducerEntry {
  return { ...e, batches: e.batches.slice() };
}

export function lastSequence(e: ProducerEntry): number {
  return e.batches.length === 0 ? NO_SEQUENCE : e.batches[e.batches.length - 1]!.lastSeq;
}

/** baseSequence + delta, wrapping past INT32_MAX to 0 as the producer does. */
export function incrementSequence(seq: number, delta: number): number {
  return seq > INT32_MAX - delta ? delta - (INT32_MAX - seq) - 1 : seq + delta;
}

export function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

/** A new epoch forgets the old epoch's batches. */
export function setEpoch(e: ProducerEntry, epoch: number): void {
  if (e.epoch !== epoch) {
    e.epoch = epoch;
    e.batches = [];
  }
}

export function addBatch(e: ProducerEntry, epoch: number, meta: BatchMetadata): void {
  setEpoch(e, epoch);
  e.batches.push(meta);
  if (e.batches.length > BATCHES_TO_RETAIN) e.batches.shift();
  e.lastTimestamp = meta.timestamp;
}

/** The retained batch with exactly this epoch and sequence range, if any. */
export function findDuplicate(e: ProducerEntry, info: BatchInfo): BatchMetadata | undefined {
  if (info.epoch !== e.epoch) return undefined;
  const lastSeq = incrementSequence(info.baseSequence, info.lastOffsetDelta);
  return e.batches.find((b) => b.firstSeq === info.baseSequence && b.lastSeq === lastSeq);
}
