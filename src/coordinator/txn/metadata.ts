/**
 * Transaction metadata for one transactional.id (Kafka's TransactionMetadata) and its record in
 * __transaction_state. Values are immutable: every transition returns a new object.
 *
 * Record format (Brook's own, versioned): key = utf8 `txn:<transactional.id>`, value = JSON
 * `{ v: 1, ... }` (int64 as decimal strings), null value = tombstone (expired id). The producer id
 * block record has key `pid-block` (see producer-ids.ts).
 */

export const TxnState = {
  Empty: 'Empty',
  Ongoing: 'Ongoing',
  PrepareCommit: 'PrepareCommit',
  PrepareAbort: 'PrepareAbort',
  CompleteCommit: 'CompleteCommit',
  CompleteAbort: 'CompleteAbort',
  Dead: 'Dead',
  /** In-memory only: an Ongoing transaction being fenced by InitProducerId (written as PrepareAbort). */
  PrepareEpochFence: 'PrepareEpochFence',
} as const;
export type TxnState = (typeof TxnState)[keyof typeof TxnState];

export const ALL_STATES: readonly string[] = Object.values(TxnState);

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
const SHORT_MAX = 32767;

export interface PendingOffset {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
}

export interface TxnMetadata {
  transactionalId: string;
  producerId: bigint;
  /** The producer id before the last rotation (KIP-360 retries), or -1. */
  lastProducerId: bigint;
  producerEpoch: number;
  /** The epoch before the last bump (KIP-360 retries), or -1. */
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  /** `topic` → partitions in the transaction, both sorted. */
  partitions: ReadonlyArray<readonly [string, readonly number[]]>;
  /** Groups added with AddOffsetsToTxn and their offsets from TxnOffsetCommit, applied on commit. */
  groups: ReadonlyArray<{ groupId: string; offsets: readonly PendingOffset[] }>;
  /** When the transaction became Ongoing, or -1. */
  startTimestamp: number;
  lastUpdateTimestamp: number;
}

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= SHORT_MAX - 1;
}

export function isPrepare(state: TxnState): boolean {
  return state === TxnState.PrepareCommit || state === TxnState.PrepareAbort || state === TxnState.PrepareEpochFence;
}

export function newMetadata(transactionalId: string, producerId: bigint, timeoutMs: number, now: number): TxnMetadata {
  return {
    transactionalId, producerId, lastProducerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH, lastProducerEpoch: NO_PRODUCER_EPOCH,
    timeoutMs, state: TxnState.Empty, partitions: [], groups: [], startTimestamp: -1, lastUpdateTimestamp: now,
  };
}

/** Adds topic-partitions; returns the same array when nothing is new. */
export function addPartitions(current: TxnMetadata['partitions'], add: ReadonlyArray<{ topic: string; partitions: readonly number[] }>): TxnMetadata['partitions'] {
  const map = new Map<string, Set<number>>(current.map(([t, ps]) => [t, new Set(ps)]));
  let changed = false;
  for (const { topic, partitions } of add) {
    let set = map.get(topic);
    if (!set) map.set(topic, (set = new Set()));
    for (const p of partitions) {
      if (!set.has(p)) {
        set.add(p);
        changed = true;
      }
    }
  }
  if (!changed) return current;
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([t, s]) => [t, [...s].sort((x, y) => x - y)] as const);
}

export function hasPartition(meta: TxnMetadata, topic: string, partition: number): boolean {
  return meta.partitions.some(([t, ps]) => t === topic && ps.includes(partition));
}

// ---- records ----

export const TXN_KEY_PREFIX = 'txn:';
const RECORD_VERSION = 1;

export function txnRecordKey(transactionalId: string): Buffer {
  return Buffer.from(TXN_KEY_PREFIX + transactionalId, 'utf8');
}

export function encodeTxnValue(m: TxnMetadata): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: RECORD_VERSION,
      producerId: m.producerId.toString(),
      lastProducerId: m.lastProducerId.toString(),
      producerEpoch: m.producerEpoch,
      lastProducerEpoch: m.lastProducerEpoch,
      timeoutMs: m.timeoutMs,
      state: m.state === TxnState.PrepareEpochFence ? TxnState.PrepareAbort : m.state,
      partitions: m.partitions,
      groups: m.groups.map((g) => ({ groupId: g.groupId, offsets: g.offsets.map((o) => ({ ...o, offset: o.offset.toString() })) })),
      startTimestamp: m.startTimestamp,
      lastUpdateTimestamp: m.lastUpdateTimestamp,
    }),
    'utf8',
  );
}

export function decodeTxnValue(transactionalId: string, value: Buffer): TxnMetadata {
  const j = JSON.parse(value.toString('utf8')) as Record<string, any>;
  if (j.v !== RECORD_VERSION) throw new Error(`unknown transaction record version ${String(j.v)}`);
  if (!ALL_STATES.includes(j.state)) throw new Error(`unknown transaction state ${String(j.state)}`);
  return {
    transactionalId,
    producerId: BigInt(j.producerId),
    lastProducerId: BigInt(j.lastProducerId),
    producerEpoch: j.producerEpoch,
    lastProducerEpoch: j.lastProducerEpoch,
    timeoutMs: j.timeoutMs,
    state: j.state as TxnState,
    partitions: j.partitions,
    groups: (j.groups as Array<{ groupId: string; offsets: Array<PendingOffset & { offset: string }> }>).map((g) => ({
      groupId: g.groupId,
      offsets: g.offsets.map((o) => ({ ...o, offset: BigInt(o.offset) })),
    })),
    startTimestamp: j.startTimestamp,
    lastUpdateTimestamp: j.lastUpdateTimestamp,
  };
}
