/**
 * read_committed fetches: cut the batches read at the last stable offset (whole batches only, by
 * their headers), and the aborted transactions that overlap what is returned.
 */
import { BASE_OFFSET, LAST_OFFSET_DELTA, batches } from '../../protocol/records/index.js';
import type { RecordChunk } from '../engine.js';
import type { AbortedTxn } from './entry.js';
import type { PartitionTxnView } from './service.js';

export interface CommittedRead {
  chunks: RecordChunk[];
  bytes: number;
  abortedTransactions: AbortedTxn[];
}

/**
 * Keeps the whole batches that start below endOffset; returns them and the offset after the last one
 * kept (or -1). A file span is kept whole when its lastOffsetBound is below endOffset (its nextOffset
 * is then that bound + 1, an upper bound); null when the cut falls inside a span, which the caller
 * must read in first (`spansInMemory`).
 */
export function limitToOffset(chunks: readonly RecordChunk[], endOffset: number): { chunks: RecordChunk[]; bytes: number; nextOffset: number } | null {
  const out: RecordChunk[] = [];
  let bytes = 0;
  let nextOffset = -1;
  for (const chunk of chunks) {
    if (!Buffer.isBuffer(chunk)) {
      if (chunk.lastOffsetBound >= endOffset) return null;
      out.push(chunk);
      bytes += chunk.length;
      nextOffset = chunk.lastOffsetBound + 1;
      continue;
    }
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

/** The chunks with every file span read into memory (a new buffer each). */
export async function spansInMemory(chunks: readonly RecordChunk[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const c of chunks) {
    if (Buffer.isBuffer(c)) out.push(c);
    else {
      const buf = Buffer.allocUnsafe(c.length);
      await c.read(buf, 0);
      out.push(buf);
    }
  }
  return out;
}

/** What a read_committed fetch from fetchOffset returns out of `chunks`. */
export async function committedRead(chunks: readonly RecordChunk[], fetchOffset: number, view: PartitionTxnView): Promise<CommittedRead> {
  const limited = limitToOffset(chunks, view.lastStableOffset) ?? limitToOffset(await spansInMemory(chunks), view.lastStableOffset)!;
  const abortedTransactions = limited.bytes > 0 ? view.abortedTransactions(fetchOffset, limited.nextOffset) : [];
  return { chunks: limited.chunks, bytes: limited.bytes, abortedTransactions };
}
