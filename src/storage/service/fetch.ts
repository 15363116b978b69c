/**
 * Fetch across partitions: read whole batches by reference (no copies), honour partition_max_bytes
 * and the response-wide max_bytes with KIP-74 (the first non-empty partition always gets its first
 * batch whole), and long-poll until min_bytes are there, max_wait_ms passes, or the connection goes.
 * Any appended partition wakes the wait; the reads are then redone (they come from the log's tail).
 * An interrupt (the client's group started rebalancing) ends the wait with what there is.
 *
 * The high watermark is the log end offset (one replica). The last stable offset comes from the
 * producer state when loaded (else the HW); read_committed partitions are cut at it and get their
 * aborted transactions (src/storage/producer-state/fetch-view.ts).
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { PartitionLog, RecordChunk } from '../engine.js';
import type { AbortedTxn } from '../producer-state/entry.js';
import { committedRead } from '../producer-state/fetch-view.js';
import type { ProducerStateService } from '../producer-state/service.js';
import type { ReadLease } from '../read-lease.js';
import { UNKNOWN_OFFSET, storageErrorCode } from './common.js';

export interface FetchPartitionSpec {
  /** undefined when the partition failed to resolve: `errorCode` says why. */
  log?: PartitionLog;
  errorCode: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  /** isolation_level READ_COMMITTED: stop at the last stable offset, list aborted transactions. */
  readCommitted?: boolean;
}

export interface FetchPartitionResult {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Batches, or file spans the connection streams when the lease allows them. */
  chunks: RecordChunk[];
  bytes: number;
  /** read_committed only: aborted transactions overlapping the returned batches. */
  abortedTransactions?: AbortedTxn[];
}

export interface FetchOptions {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  signal: AbortSignal;
  producerState?: ProducerStateService;
  /** Disk reads borrow their buffers under this lease; the caller releases it once the response is sent. */
  lease?: ReadLease;
  /** Registers a callback that ends the wait early (src/storage/service/fetch-interrupts.ts); returns its unsubscribe. */
  onInterrupt?: (fn: () => void) => () => void;
}

const errorResult = (errorCode: number): FetchPartitionResult => ({
  errorCode,
  highWatermark: UNKNOWN_OFFSET,
  lastStableOffset: UNKNOWN_OFFSET,
  logStartOffset: UNKNOWN_OFFSET,
  chunks: [],
  bytes: 0,
});

/** One pass over every partition, in request order, sharing the max_bytes budget. */
async function readAll(specs: readonly FetchPartitionSpec[], maxBytes: number, producerState?: ProducerStateService, lease?: ReadLease): Promise<{ results: FetchPartitionResult[]; bytes: number; error: boolean }> {
  const results: FetchPartitionResult[] = [];
  let budget = maxBytes;
  let minOneBatch = true;
  let total = 0;
  let error = false;
  for (const s of specs) {
    if (!s.log || s.errorCode !== ErrorCode.NONE) {
      results.push(errorResult(s.errorCode));
      error = true;
      continue;
    }
    const log = s.log;
    try {
      let read: { chunks: RecordChunk[]; bytes: number; abortedTransactions?: AbortedTxn[] } = await log.read(s.fetchOffset, Math.min(s.partitionMaxBytes, budget), minOneBatch, lease);
      const hw = log.logEndOffset();
      let lso = producerState?.lastStableOffsetNow(log, hw) ?? hw;
      if (s.readCommitted && producerState) {
        const view = await producerState.view(log, hw);
        lso = view.lastStableOffset;
        read = await committedRead(read.chunks, s.fetchOffset, view);
      }
      results.push({ errorCode: ErrorCode.NONE, highWatermark: hw, lastStableOffset: lso, logStartOffset: log.logStartOffset(), chunks: read.chunks, bytes: read.bytes, abortedTransactions: read.abortedTransactions });
      if (read.bytes > 0) {
        minOneBatch = false;
        budget = Math.max(0, budget - read.bytes);
        total += read.bytes;
      }
    } catch (err) {
      results.push(errorResult(storageErrorCode(err)));
      error = true;
    }
  }
  return { results, bytes: total, error };
}

/**
 * Reads the partitions; answers at once when there is an error, enough data, or no wait asked for;
 * otherwise waits for appends to any of them until max_wait_ms.
 */
export async function fetchPartitions(specs: readonly FetchPartitionSpec[], opts: FetchOptions): Promise<FetchPartitionResult[]> {
  const { maxWaitMs, minBytes, maxBytes, signal } = opts;
  const done = (r: { bytes: number; error: boolean }) => r.error || r.bytes >= minBytes || maxWaitMs <= 0 || specs.length === 0;

  let dirty = false;
  let wake: (() => void) | null = null;
  const onEvent = () => {
    dirty = true;
    wake?.();
  };
  const logs = new Set<PartitionLog>();
  for (const s of specs) if (s.log) logs.add(s.log);
  const unsubscribe = maxWaitMs > 0 ? [...logs].map((l) => l.onAppend(onEvent)) : [];
  signal.addEventListener('abort', onEvent);
  let cut = false;
  const unInterrupt =
    maxWaitMs > 0 && opts.onInterrupt
      ? opts.onInterrupt(() => {
          cut = true;
          wake?.();
        })
      : null;
  const deadline = performance.now() + maxWaitMs;
  try {
    let pass = await readAll(specs, maxBytes, opts.producerState, opts.lease);
    for (;;) {
      if (done(pass) || signal.aborted) return pass.results;
      const remaining = deadline - performance.now();
      if (remaining <= 0 || cut) return dirty ? (await readAll(specs, maxBytes, opts.producerState, opts.lease)).results : pass.results;
      if (!dirty) await waitFor(remaining, (w) => (wake = w));
      wake = null;
      if (signal.aborted) return pass.results;
      if (dirty) {
        dirty = false;
        pass = await readAll(specs, maxBytes, opts.producerState, opts.lease);
      }
    }
  } finally {
    for (const u of unsubscribe) u();
    unInterrupt?.();
    signal.removeEventListener('abort', onEvent);
  }
}

/** Resolves after `ms` or when the function handed to `register` is called, whichever is first. */
function waitFor(ms: number, register: (wake: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    register(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
