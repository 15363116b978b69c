/**
 * read_committed fetches: cut the batches read at the last stable offset (whole batches only, by
 * their headers), and the aborted transactions that overlap what is returned.
 */
import { BASE_OFFSET, LAST_OFFSET_DELTA, batches } from '../../protocol/records/index.js';
import type { AbortedTxn } from './entry.js';
import type { PartitionTxnView } from './service.js';

export interface CommittedRead {
  chunks: Buffer[];
  bytes: number;
  abortedTransactions: AbortedTxn[];
}

/** Keeps the whole batches that start below endOffset; returns them and the offset after the last one kept (or -1). */
export function limitToOffset(chunks: readonly Buffer[], endOffset: number): { chunks: Buffer[]; bytes: number; nextOffset: number } {
  const out: Buffer[] = [];
  let bytes = 0;
  let nextOffset = -1;
  for (const chunk of chunks) {
    let keep = 0;
    let stop = false;
    for (const b of batches(chunk)) {
      if (b.partial) {
        stop = true;
        break;
      }
      const base = Number(chunk.readBigInt64BE(b.pos + BASE_OFFSET));
      if (base >= endOffset) {
        stop = true;
        break;
      }
      keep = b.pos + b.size;
      nextOffset = b.magic === 2 ? base + chunk.readInt32BE(b.pos + LAST_OFFSET_DELTA) + 1 : base + 1;
    }
    if (keep > 0) {
      out.push(keep === chunk.length ? chunk : chunk.subarray(0, keep));
      bytes += keep;
    }
    if (stop) break;
  }
  return { chunks: out, bytes, nextOffset };
}

/** What a read_committed fetch from fetchOffset returns out of `chunks`. */
export function committedRead(chunks: readonly Buffer[], fetchOffset: number, view: PartitionTxnView): CommittedRead {
  const limited = limitToOffset(chunks, view.lastStableOffset);
  const abortedTransactions = limited.bytes > 0 ? view.abortedTransactions(fetchOffset, limited.nextOffset) : [];
  return { chunks: limited.chunks, bytes: limited.bytes, abortedTransactions };
}
