/**
 * The transaction coordinator's transitions, pure: (metadata, input, now) → (metadata, error code,
 * record to write, completion to run). No I/O, no clock, no await — service.ts executes the steps.
 *
 * Ongoing → PrepareCommit/PrepareAbort (EndTxn, timeout, fence) → markers written to every partition
 * → CompleteCommit/CompleteAbort. While a Prepare state is in flight, other requests get
 * CONCURRENT_TRANSACTIONS. An epoch that is not the current one gets PRODUCER_FENCED (the handlers
 * answer INVALID_PRODUCER_EPOCH to versions before KIP-588).
 */
import { ErrorCode } from '../../protocol/errors.js';
import { type PendingOffset, type TxnMetadata, TxnState, addPartitions, isEpochExhausted, isPrepare } from './metadata.js';

export interface Step {
  /** Metadata after the step (undefined: none exists). */
  meta: TxnMetadata | undefined;
  errorCode: number;
  /** The record to append to __transaction_state before answering, or null; 'tombstone' removes the id. */
  write: TxnMetadata | 'tombstone' | null;
  /** Write markers to every partition of the transaction, then call markersWritten(). */
  complete: { commit: boolean } | null;
  usedFreshProducerId?: boolean;
}

const answer = (meta: TxnMetadata | undefined, errorCode: number): Step => ({ meta, errorCode, write: null, complete: null });
const written = (meta: TxnMetadata, complete: Step['complete'] = null): Step => ({ meta, errorCode: ErrorCode.NONE, write: meta, complete });

export interface ProducerRef {
  producerId: bigint;
  producerEpoch: number;
}

/** The checks every request of a running transaction makes. */
function checkProducer(meta: TxnMetadata | undefined, p: ProducerRef): number {
  if (!meta || meta.state === TxnState.Dead || meta.producerId !== p.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (meta.producerEpoch !== p.producerEpoch) return ErrorCode.PRODUCER_FENCED;
  if (isPrepare(meta.state)) return ErrorCode.CONCURRENT_TRANSACTIONS;
  return ErrorCode.NONE;
}

function begin(meta: TxnMetadata, now: number): TxnMetadata {
  if (meta.state === TxnState.Ongoing) return { ...meta, lastUpdateTimestamp: now };
  return { ...meta, state: TxnState.Ongoing, partitions: [], groups: [], startTimestamp: now, lastUpdateTimestamp: now };
}

export function addPartitionsToTxn(
  meta: TxnMetadata | undefined, p: ProducerRef, partitions: ReadonlyArray<{ topic: string; partitions: readonly number[] }>, now: number,
): Step {
  const code = checkProducer(meta, p);
  if (code !== ErrorCode.NONE) return answer(meta, code);
  const m = meta!;
  if (m.state === TxnState.Ongoing && addPartitions(m.partitions, partitions) === m.partitions) return answer(m, ErrorCode.NONE);
  const started = begin(m, now);
  return written({ ...started, partitions: addPartitions(started.partitions, partitions) });
}

/** KIP-890 verification: may this producer write transactional data to topic-partition now? */
export function verifyPartition(meta: TxnMetadata | undefined, p: ProducerRef, topic: string, partition: number): number {
  if (!meta || meta.producerId !== p.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (meta.producerEpoch !== p.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
  if (meta.state !== TxnState.Ongoing) return ErrorCode.INVALID_TXN_STATE;
  return meta.partitions.some(([t, ps]) => t === topic && ps.includes(partition)) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
}

export function addOffsetsToTxn(meta: TxnMetadata | undefined, p: ProducerRef, groupId: string, now: number): Step {
  const code = checkProducer(meta, p);
  if (code !== ErrorCode.NONE) return answer(meta, code);
  const m = meta!;
  if (m.state === TxnState.Ongoing && m.groups.some((g) => g.groupId === groupId)) return answer(m, ErrorCode.NONE);
  const started = begin(m, now);
  return written({ ...started, groups: [...started.groups, { groupId, offsets: [] }] });
}

export function txnOffsetCommit(meta: TxnMetadata | undefined, p: ProducerRef, groupId: string, offsets: readonly PendingOffset[], now: number): Step {
  const code = checkProducer(meta, p);
  if (code !== ErrorCode.NONE) return answer(meta, code);
  const m = meta!;
  const group = m.groups.find((g) => g.groupId === groupId);
  if (m.state !== TxnState.Ongoing || !group) return answer(m, ErrorCode.INVALID_TXN_STATE);
  const merged = new Map(group.offsets.map((o) => [`${o.topic}\u0000${o.partition}`, o]));
  for (const o of offsets) merged.set(`${o.topic}\u0000${o.partition}`, o);
  const groups = m.groups.map((g) => (g === group ? { groupId, offsets: [...merged.values()] } : g));
  return written({ ...m, groups, lastUpdateTimestamp: now });
}

export function endTxn(meta: TxnMetadata | undefined, p: ProducerRef, commit: boolean, now: number): Step {
  if (!meta || meta.state === TxnState.Dead || meta.producerId !== p.producerId) return answer(meta, ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  if (meta.producerEpoch !== p.producerEpoch) return answer(meta, ErrorCode.PRODUCER_FENCED);
  switch (meta.state) {
    case TxnState.Ongoing:
      return written({ ...meta, state: commit ? TxnState.PrepareCommit : TxnState.PrepareAbort, lastUpdateTimestamp: now }, { commit });
    case TxnState.CompleteCommit:
      return answer(meta, commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE);
    case TxnState.CompleteAbort:
      return answer(meta, commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE);
    case TxnState.PrepareCommit:
      return answer(meta, commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
    case TxnState.PrepareAbort:
      return answer(meta, commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS);
    default:
      return answer(meta, ErrorCode.INVALID_TXN_STATE);
  }
}

/** Markers are in every partition (and offsets applied): the transaction is complete. */
export function markersWritten(meta: TxnMetadata, now: number): Step {
  if (meta.state !== TxnState.PrepareCommit && meta.state !== TxnState.PrepareAbort) return answer(meta, ErrorCode.NONE);
  const state = meta.state === TxnState.PrepareCommit ? TxnState.CompleteCommit : TxnState.CompleteAbort;
  return written({ ...meta, state, partitions: [], groups: [], startTimestamp: meta.startTimestamp, lastUpdateTimestamp: now });
}

/** An Ongoing transaction past its timeout is aborted with a bumped epoch (fencing its producer). */
export function timeoutAbort(meta: TxnMetadata, now: number): Step | null {
  if (meta.state !== TxnState.Ongoing || meta.startTimestamp < 0 || now <= meta.startTimestamp + meta.timeoutMs) return null;
  const epoch = isEpochExhausted(meta.producerEpoch) ? meta.producerEpoch : meta.producerEpoch + 1;
  return written({ ...meta, producerEpoch: epoch, lastProducerEpoch: -1, state: TxnState.PrepareAbort, lastUpdateTimestamp: now }, { commit: false });
}

/** An idle completed (or empty) transactional id past transactional.id.expiration.ms is removed. */
export function expire(meta: TxnMetadata, now: number, expirationMs: number): Step | null {
  const idle = meta.state === TxnState.Empty || meta.state === TxnState.CompleteCommit || meta.state === TxnState.CompleteAbort;
  if (!idle || now - meta.lastUpdateTimestamp <= expirationMs) return null;
  return { meta: undefined, errorCode: ErrorCode.NONE, write: 'tombstone', complete: null };
}
