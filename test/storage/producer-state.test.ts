/** Producer state: dedup, sequence and epoch rules, transactions, LSO, aborted index, rebuild from the log. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildRecordBatch } from '../../src/protocol/records/index.js';
import { DEFAULT_LOG_CONFIG, type AppendBatch } from '../../src/storage/engine.js';
import { MemoryStorageEngine } from '../../src/storage/memory/engine.js';
import { type BatchInfo, PartitionProducerState, ProducerStateService, incrementSequence } from '../../src/storage/producer-state/index.js';

const info = (o: Partial<BatchInfo> & { seq?: number; count?: number }): BatchInfo => ({
  producerId: o.producerId ?? 7n,
  epoch: o.epoch ?? 0,
  baseSequence: o.seq ?? o.baseSequence ?? 0,
  lastOffsetDelta: (o.count ?? 1) - 1,
  transactional: o.transactional ?? false,
  control: false,
  maxTimestamp: o.maxTimestamp ?? 1000,
});

/** Checks and commits one batch at `offset`; returns the check. */
function put(s: PartitionProducerState, b: BatchInfo, offset: number) {
  const c = s.checkAppend([b]);
  if (c.kind === 'append') s.commit(c, offset);
  return c;
}

describe('PartitionProducerState (pure)', () => {
  it('accepts in-sequence batches and answers a retry of any of the last five with its original offsets', () => {
    const s = new PartitionProducerState('t-0');
    let offset = 0;
    for (let i = 0; i < 6; i++) {
      expect(put(s, info({ seq: i * 10, count: 10 }), offset).kind).toBe('append');
      offset += 10;
    }
    expect(s.checkAppend([info({ seq: 50, count: 10 })])).toMatchObject({ kind: 'duplicate', firstOffset: 50, lastOffset: 59 });
    expect(s.checkAppend([info({ seq: 10, count: 10 })])).toMatchObject({ kind: 'duplicate', firstOffset: 10, lastOffset: 19 });
    // The sixth-last batch is forgotten: no longer a duplicate, and out of sequence.
    expect(s.checkAppend([info({ seq: 0, count: 10 })])).toMatchObject({ kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  it('answers OUT_OF_ORDER_SEQUENCE_NUMBER on a gap and on a new epoch not starting at 0', () => {
    const s = new PartitionProducerState();
    put(s, info({ seq: 0, count: 3 }), 0);
    expect(s.checkAppend([info({ seq: 4 })])).toMatchObject({ kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(s.checkAppend([info({ seq: 3 })]).kind).toBe('append');
    expect(s.checkAppend([info({ epoch: 1, seq: 5 })])).toMatchObject({ kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(put(s, info({ epoch: 1, seq: 0 }), 3).kind).toBe('append');
    expect(s.get(7n)).toMatchObject({ epoch: 1, batches: [{ firstSeq: 0, lastSeq: 0, firstOffset: 3 }] });
  });

  it('answers INVALID_PRODUCER_EPOCH for an older epoch', () => {
    const s = new PartitionProducerState();
    put(s, info({ epoch: 3 }), 0);
    expect(s.checkAppend([info({ epoch: 2, seq: 1 })])).toMatchObject({ kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
  });

  it('accepts any first sequence from an unknown producer (state lost to retention), then checks', () => {
    const s = new PartitionProducerState();
    expect(put(s, info({ seq: 42 }), 0).kind).toBe('append');
    expect(s.checkAppend([info({ seq: 44 })]).kind).toBe('error');
    expect(s.checkAppend([info({ seq: 43 })]).kind).toBe('append');
  });

  it('checks several batches of one request in order', () => {
    const s = new PartitionProducerState();
    const c = s.checkAppend([info({ seq: 0, count: 2 }), info({ seq: 2, count: 2 }), info({ producerId: -1n })]);
    expect(c.kind).toBe('append');
    if (c.kind === 'append') s.commit(c, 100);
    expect(s.get(7n)!.batches.map((b) => [b.firstOffset, b.lastOffset])).toEqual([[100, 101], [102, 103]]);
    expect(s.checkAppend([info({ seq: 4 }), info({ seq: 6 })]).kind).toBe('error');
  });

  it('wraps sequences past INT32_MAX to 0', () => {
    expect(incrementSequence(0x7fffffff, 1)).toBe(0);
    expect(incrementSequence(0x7ffffffe, 3)).toBe(1);
    const s = new PartitionProducerState();
    put(s, info({ seq: 0x7ffffffe, count: 2 }), 0);
    expect(s.checkAppend([info({ seq: 0 })]).kind).toBe('append');
  });

  it('tracks open transactions: LSO, markers, aborted index, INVALID_TXN_STATE for plain batches inside one', () => {
    const s = new PartitionProducerState();
    expect(s.lastStableOffset(10)).toBe(10);
    put(s, info({ producerId: 1n, transactional: true, count: 2 }), 10);
    put(s, info({ producerId: 2n, transactional: true }), 12);
    expect(s.firstUnstableOffset()).toBe(10);
    expect(s.lastStableOffset(13)).toBe(10);
    expect(s.checkAppend([info({ producerId: 1n, seq: 2 })])).toMatchObject({ kind: 'error', errorCode: ErrorCode.INVALID_TXN_STATE });
    expect(s.applyMarker(1n, 0, false, 0, 13, 1)).toEqual({ producerId: 1n, firstOffset: 10, lastOffset: 13, aborted: true });
    expect(s.lastStableOffset(14)).toBe(12);
    expect(s.applyMarker(2n, 0, true, 0, 14, 1)).toMatchObject({ aborted: false });
    expect(s.lastStableOffset(15)).toBe(15);
    expect(s.applyMarker(2n, 0, true, 0, 15, 1)).toBeNull(); // a repeated marker closes nothing
    expect(s.abortedTransactions(0, 100)).toEqual([{ producerId: 1n, firstOffset: 10, lastOffset: 13 }]);
    expect(s.abortedTransactions(14, 100)).toEqual([]);
    expect(s.abortedTransactions(0, 10)).toEqual([]);
    s.truncateBelow(14);
    expect(s.abortedTransactions(0, 100)).toEqual([]);
  });

  it('a marker with a bumped epoch fences the old epoch and resets sequences', () => {
    const s = new PartitionProducerState();
    put(s, info({ transactional: true, seq: 0, count: 5 }), 0);
    s.applyMarker(7n, 1, false, 0, 5, 1);
    expect(s.checkAppend([info({ transactional: true, seq: 5 })])).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect(s.checkMarker(7n, 0, 0)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(s.checkMarker(7n, 1, -1)).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(s.checkAppend([info({ epoch: 1, transactional: true, seq: 0 })]).kind).toBe('append');
  });

  it('asks the verifier before a transactional batch opens a transaction', () => {
    const s = new PartitionProducerState();
    const verify = (pid: bigint) => (pid === 1n ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE);
    expect(s.checkAppend([info({ producerId: 2n, transactional: true })], verify)).toMatchObject({ errorCode: ErrorCode.INVALID_TXN_STATE });
    expect(s.checkAppend([info({ producerId: 1n, transactional: true })], verify).kind).toBe('append');
  });

  it('expires idle producers without an open transaction', () => {
    const s = new PartitionProducerState();
    put(s, info({ producerId: 1n, maxTimestamp: 1000 }), 0);
    put(s, info({ producerId: 2n, maxTimestamp: 1000, transactional: true }), 1);
    expect(s.removeExpired(10_000, 5000)).toBe(1);
    expect(s.get(1n)).toBeUndefined();
    expect(s.get(2n)).toBeDefined();
  });
});

function batch(o: { pid?: bigint; epoch?: number; seq?: number; count?: number; txn?: boolean }): AppendBatch {
  const count = o.count ?? 1;
  const buf = buildRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({ value: `v${i}`, timestamp: 1000 })),
    producerId: o.pid ?? 7n,
    producerEpoch: o.epoch ?? 0,
    baseSequence: o.seq ?? 0,
    transactional: o.txn,
  });
  return { buf, offsetCount: count, maxTimestamp: 1000 };
}

describe('ProducerStateService', () => {
  async function setup() {
    const engine = new MemoryStorageEngine(() => 5000);
    const log = await engine.createPartition('t', 0, DEFAULT_LOG_CONFIG);
    const svc = new ProducerStateService({ now: () => 5000 });
    return { engine, log, svc };
  }

  it('appends, deduplicates a retry without appending, rejects a gap', async () => {
    const { log, svc } = await setup();
    expect(await svc.append(log, [batch({ seq: 0, count: 3 })], 0, 'written')).toMatchObject({ errorCode: 0, baseOffset: 0, lastOffset: 2, duplicate: false });
    expect(await svc.append(log, [batch({ pid: -1n, seq: -1 })], 0, 'written')).toMatchObject({ baseOffset: 3 });
    expect(await svc.append(log, [batch({ seq: 3 })], 0, 'written')).toMatchObject({ baseOffset: 4 });
    expect(await svc.append(log, [batch({ seq: 0, count: 3 })], 0, 'written')).toMatchObject({ errorCode: 0, baseOffset: 0, lastOffset: 2, duplicate: true });
    expect(log.logEndOffset()).toBe(5);
    expect(await svc.append(log, [batch({ seq: 9 })], 0, 'written')).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 });
  });

  it('rebuilds the same state from the log: dedup, open transactions and aborted index survive', async () => {
    const { log, svc } = await setup();
    await svc.append(log, [batch({ seq: 0, count: 2 })], 0, 'written'); // 0-1
    await svc.append(log, [batch({ pid: 8n, txn: true, count: 2 })], 0, 'written'); // 2-3
    await svc.appendMarker(log, { producerId: 8n, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }, 0); // 4
    await svc.append(log, [batch({ pid: 9n, txn: true })], 0, 'written'); // 5 (open)
    await svc.append(log, [batch({ seq: 2 })], 0, 'written'); // 6
    const fresh = new ProducerStateService({ now: () => 5000 });
    expect(await fresh.append(log, [batch({ seq: 2 })], 0, 'written')).toMatchObject({ duplicate: true, baseOffset: 6 });
    const view = await fresh.view(log);
    expect(view.lastStableOffset).toBe(5);
    expect(view.abortedTransactions(0, 7)).toEqual([{ producerId: 8n, firstOffset: 2, lastOffset: 4 }]);
    const m = await fresh.appendMarker(log, { producerId: 9n, producerEpoch: 0, commit: true, coordinatorEpoch: 0 }, 0);
    expect(m.completed).toMatchObject({ firstOffset: 5, lastOffset: 7, aborted: false });
    expect((await fresh.view(log)).lastStableOffset).toBe(8);
  });

  it('takes an empty state when plain batches start an empty log, so no rebuild scans them later', async () => {
    const { log, svc } = await setup();
    expect(svc.loaded(log)).toBeUndefined();
    await svc.append(log, [batch({ pid: -1n, seq: -1, count: 3 })], 0, 'written');
    expect(svc.loaded(log)).toBeDefined(); // no scan pending for the first read_committed fetch
    await svc.append(log, [batch({ seq: 0, count: 2 })], 0, 'written'); // 3-4, idempotent, checked against it
    expect(await svc.append(log, [batch({ seq: 0, count: 2 })], 0, 'written')).toMatchObject({ duplicate: true, baseOffset: 3 });
    // A log that already holds data is still rebuilt from it on first use.
    const fresh = new ProducerStateService({ now: () => 5000 });
    await fresh.append(log, [batch({ pid: -1n, seq: -1 })], 0, 'written');
    expect(fresh.loaded(log)).toBeUndefined();
    expect(await fresh.append(log, [batch({ seq: 0, count: 2 })], 0, 'written')).toMatchObject({ duplicate: true, baseOffset: 3 });
  });

  it('serializes concurrent first appends behind the rebuild', async () => {
    const { log, svc } = await setup();
    const results = await Promise.all([0, 1, 2, 3].map((i) => svc.append(log, [batch({ seq: i })], 0, 'written')));
    expect(results.map((r) => r.baseOffset)).toEqual([0, 1, 2, 3]);
  });
});
