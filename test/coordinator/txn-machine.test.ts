/** The transaction coordinator's pure transitions, with a fake clock (plain numbers). */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { type InitInput, initProducerId } from '../../src/coordinator/txn/machine-init.js';
import {
  addOffsetsToTxn, addPartitionsToTxn, endTxn, expire, markersWritten, timeoutAbort, txnOffsetCommit, verifyPartition,
} from '../../src/coordinator/txn/machine.js';
import { type TxnMetadata, TxnState, decodeTxnValue, encodeTxnValue } from '../../src/coordinator/txn/metadata.js';

const MAX = 900_000;
const init = (meta: TxnMetadata | undefined, o: Partial<InitInput> = {}, now = 1000, fresh = 100n) =>
  initProducerId(meta, { transactionalId: 'tx', timeoutMs: 60_000, producerId: -1n, producerEpoch: -1, ...o }, { now, maxTimeoutMs: MAX, freshProducerId: fresh });
const P = (m: TxnMetadata) => ({ producerId: m.producerId, producerEpoch: m.producerEpoch });
const tp = (topic: string, ...partitions: number[]) => ({ topic, partitions });

/** Empty → Ongoing with t-0. */
function ongoing(now = 2000): TxnMetadata {
  const m = init(undefined).meta!;
  const s = addPartitionsToTxn(m, P(m), [tp('t', 0)], now);
  expect(s.errorCode).toBe(ErrorCode.NONE);
  return s.meta!;
}

describe('InitProducerId', () => {
  it('creates an id with a fresh producer id at epoch 0 and bumps the epoch on every init', () => {
    const s = init(undefined);
    expect(s).toMatchObject({ errorCode: 0, producerId: 100n, producerEpoch: 0, usedFreshProducerId: true });
    expect(s.write).toMatchObject({ state: TxnState.Empty, producerEpoch: 0 });
    const s2 = init(s.meta, {}, 1000, 101n);
    expect(s2).toMatchObject({ errorCode: 0, producerId: 100n, producerEpoch: 1, usedFreshProducerId: false });
  });

  it('validates transaction.timeout.ms against transaction.max.timeout.ms', () => {
    expect(init(undefined, { timeoutMs: MAX + 1 }).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect(init(undefined, { timeoutMs: 0 }).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect(init(undefined, { transactionalId: '' }).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(init(undefined, { producerId: 5n, producerEpoch: -1 }).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('fences an Ongoing transaction: bumps the epoch, aborts, answers CONCURRENT_TRANSACTIONS', () => {
    const m = ongoing();
    const s = init(m);
    expect(s.errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(s.meta).toMatchObject({ state: TxnState.PrepareAbort, producerEpoch: 1 });
    expect(s.complete).toEqual({ commit: false });
    expect(init(s.meta).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS); // still completing
    const done = markersWritten(s.meta!, 3000).meta!;
    expect(done.state).toBe(TxnState.CompleteAbort);
    expect(init(done)).toMatchObject({ errorCode: 0, producerEpoch: 2 });
  });

  it('KIP-360: recovers with the current epoch, repeats a lost bump, fences other ids/epochs', () => {
    const m = init(undefined).meta!; // pid 100 epoch 0
    const bumped = init(m, { producerId: 100n, producerEpoch: 0 });
    expect(bumped).toMatchObject({ errorCode: 0, producerId: 100n, producerEpoch: 1 });
    expect(bumped.meta!.lastProducerEpoch).toBe(0);
    // The client never got the answer and retries with epoch 0: same answer.
    expect(init(bumped.meta, { producerId: 100n, producerEpoch: 0 })).toMatchObject({ errorCode: 0, producerEpoch: 1 });
    expect(init(bumped.meta, { producerId: 100n, producerEpoch: 7 }).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(init(bumped.meta, { producerId: 55n, producerEpoch: 1 }).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('rotates to a new producer id when the epoch is exhausted', () => {
    const m: TxnMetadata = { ...init(undefined).meta!, producerEpoch: 32766 };
    const s = init(m, {}, 1000, 200n);
    expect(s).toMatchObject({ errorCode: 0, producerId: 200n, producerEpoch: 0, usedFreshProducerId: true });
    expect(s.meta!.lastProducerId).toBe(100n);
  });
});

describe('transactions', () => {
  it('happy path: add partitions, add offsets, offsets, commit → PrepareCommit → CompleteCommit', () => {
    let m = ongoing(2000);
    expect(m).toMatchObject({ state: TxnState.Ongoing, startTimestamp: 2000, partitions: [['t', [0]]] });
    const again = addPartitionsToTxn(m, P(m), [tp('t', 0)], 2100);
    expect(again.write).toBeNull(); // already in: nothing to write
    m = addPartitionsToTxn(m, P(m), [tp('t', 1), tp('a', 3)], 2100).meta!;
    expect(m.partitions).toEqual([['a', [3]], ['t', [0, 1]]]);
    expect(txnOffsetCommit(m, P(m), 'g', [], 2200).errorCode).toBe(ErrorCode.INVALID_TXN_STATE); // group not added
    m = addOffsetsToTxn(m, P(m), 'g', 2200).meta!;
    const off = { topic: 'in', partition: 0, offset: 42n, leaderEpoch: -1, metadata: null };
    m = txnOffsetCommit(m, P(m), 'g', [off], 2300).meta!;
    m = txnOffsetCommit(m, P(m), 'g', [{ ...off, offset: 43n }], 2300).meta!;
    expect(m.groups).toEqual([{ groupId: 'g', offsets: [{ ...off, offset: 43n }] }]);
    const end = endTxn(m, P(m), true, 2400);
    expect(end).toMatchObject({ errorCode: 0, complete: { commit: true } });
    expect(end.meta!.state).toBe(TxnState.PrepareCommit);
    expect(addPartitionsToTxn(end.meta, P(m), [tp('t', 0)], 2500).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(endTxn(end.meta, P(m), true, 2500).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(endTxn(end.meta, P(m), false, 2500).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    const done = markersWritten(end.meta!, 2600).meta!;
    expect(done).toMatchObject({ state: TxnState.CompleteCommit, partitions: [], groups: [] });
    expect(endTxn(done, P(m), true, 2700).errorCode).toBe(ErrorCode.NONE); // retry of a finished commit
    expect(endTxn(done, P(m), false, 2700).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    // The next transaction starts from CompleteCommit.
    expect(addPartitionsToTxn(done, P(m), [tp('x', 0)], 2800).meta).toMatchObject({ state: TxnState.Ongoing, partitions: [['x', [0]]], startTimestamp: 2800 });
  });

  it('abort', () => {
    const m = ongoing();
    const end = endTxn(m, P(m), false, 3000);
    expect(end.meta!.state).toBe(TxnState.PrepareAbort);
    expect(markersWritten(end.meta!, 3000).meta!.state).toBe(TxnState.CompleteAbort);
    expect(endTxn(undefined, P(m), false, 3000).errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const empty = init(undefined).meta!;
    expect(endTxn(empty, P(empty), true, 3000).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('fences a zombie by epoch: a bumped epoch makes the old producer PRODUCER_FENCED', () => {
    const old = init(undefined).meta!;
    const fresh = init(old).meta!; // second producer with the same transactional.id
    expect(addPartitionsToTxn(fresh, P(old), [tp('t', 0)], 1).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(addOffsetsToTxn(fresh, P(old), 'g', 1).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(endTxn(fresh, P(old), true, 1).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(addPartitionsToTxn(fresh, { producerId: 9n, producerEpoch: 0 }, [tp('t', 0)], 1).errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(addPartitionsToTxn(fresh, P(fresh), [tp('t', 0)], 1).errorCode).toBe(ErrorCode.NONE);
  });

  it('timeout: an Ongoing transaction past its timeout is aborted with a bumped epoch', () => {
    const m = ongoing(2000); // timeout 60 s
    expect(timeoutAbort(m, 2000 + 60_000)).toBeNull();
    const s = timeoutAbort(m, 2000 + 60_001)!;
    expect(s.meta).toMatchObject({ state: TxnState.PrepareAbort, producerEpoch: m.producerEpoch + 1 });
    expect(s.complete).toEqual({ commit: false });
    expect(endTxn(s.meta, P(m), true, 70_000).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(timeoutAbort(markersWritten(s.meta!, 1).meta!, 10 ** 9)).toBeNull();
  });

  it('expires idle ids, never an Ongoing one', () => {
    const empty = init(undefined).meta!;
    expect(expire(empty, 1000 + 500, 1000)).toBeNull();
    expect(expire(empty, 1000 + 1001, 1000)).toMatchObject({ write: 'tombstone', meta: undefined });
    expect(expire(ongoing(), 10 ** 9, 1000)).toBeNull();
  });

  it('verifies a partition for transactional produce (KIP-890)', () => {
    const m = ongoing();
    expect(verifyPartition(m, P(m), 't', 0)).toBe(ErrorCode.NONE);
    expect(verifyPartition(m, P(m), 't', 1)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(verifyPartition(m, { ...P(m), producerEpoch: m.producerEpoch - 1 }, 't', 0)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('round-trips metadata through its record', () => {
    let m = ongoing();
    m = addOffsetsToTxn(m, P(m), 'g', 1).meta!;
    m = txnOffsetCommit(m, P(m), 'g', [{ topic: 'in', partition: 2, offset: 2n ** 40n, leaderEpoch: 3, metadata: 'x' }], 1).meta!;
    expect(decodeTxnValue('tx', encodeTxnValue(m))).toEqual(m);
  });
});
