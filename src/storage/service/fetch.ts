/**
 * Fetch across partitions: read whole batches by reference (no copies), honour partition_max_bytes
 * and the response-wide max_bytes with KIP-74 (the first non-empty partition always gets its first
 * batch whole), and long-poll until min_bytes are there, max_wait_ms passes, or the connection goes.
 * Any appended partition wakes the wait; the reads are then redone (they come from the log's tail).
 *
 * The high watermark is the log end offset (one replica) and the last stable offset equals it (no
 * transactions yet).
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { PartitionLog } from '../engine.js';
import { UNKNOWN_OFFSET, storageErrorCode } from './common.js';

export interface FetchPartitionSpec {
  /** undefined when the partition failed to resolve: `errorCode` says why. */
  log?: PartitionLog;
  errorCode: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

export interface FetchPartitionResult {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  chunks: Buffer[];
  bytes: number;
}

export interface FetchOptions {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  signal: AbortSignal;
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
async function readAll(specs: readonly FetchPartitionSpec[], maxBytes: number): Promise<{ results: FetchPartitionResult[]; bytes: number; error: boolean }> {
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
      const read = await log.read(s.fetchOffset, Math.min(s.partitionMaxBytes, budget), minOneBatch);
      const hw = log.logEndOffset();
      results.push({ errorCode: ErrorCode.NONE, highWatermark: hw, lastStableOffset: hw, logStartOffset: log.logStartOffset(), chunks: read.chunks, bytes: read.bytes });
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
  const deadline = performance.now() + maxWaitMs;
  try {
    let pass = await readAll(specs, maxBytes);
    for (;;) {
      if (done(pass) || signal.aborted) return pass.results;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return dirty ? (await readAll(specs, maxBytes)).results : pass.results;
      if (!dirty) await waitFor(remaining, (w) => (wake = w));
      wake = null;
      if (signal.aborted) return pass.results;
      if (dirty) {
        dirty = false;
        pass = await readAll(specs, maxBytes);
      }
    }
  } finally {
    for (const u of unsubscribe) u();
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
