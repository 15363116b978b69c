/**
 * Reading whole batches from a segment file: the offset index gives a position at or before the
 * wanted batch, batch headers are skipped from there, then one read takes the whole batches that
 * fit. Only the written part of the file is read. `alloc`, when given, supplies the read buffers
 * (a pool's, lent for one response).
 */
import type { StorageFs } from './fs.js';
import { readAt } from './fs.js';
import { BASE_OFFSET, LAST_OFFSET_DELTA, RECORD_COUNT, entrySize } from '../../protocol/records/batch-header.js';
import type { FileSegment } from './segment.js';
import { scanBatches, type ScannedBatch } from './scan.js';

const HEADER_NEEDED = LAST_OFFSET_DELTA + 4;
const READ_SLACK = 64 * 1024;

export async function readSegment(
  fs: StorageFs,
  seg: FileSegment,
  offset: number,
  maxBytes: number,
  minOneBatch: boolean,
  indexInterval: number,
  alloc?: (n: number) => Buffer,
): Promise<{ chunks: Buffer[]; bytes: number }> {
  const end = seg.writtenBytes;
  const fd = seg.fd;
  let p = seg.index.lookup(offset);
  const ahead = Math.max(0, maxBytes) + indexInterval + READ_SLACK;
  let buf: Buffer = Buffer.alloc(0);
  let bufPos = p;
  // Skip the batches that end before offset.
  for (;;) {
    if (p >= end) return { chunks: [], bytes: 0 };
    if (buf.length - (p - bufPos) < HEADER_NEEDED) {
      buf = await readAt(fs, fd, p, Math.min(end - p, ahead), alloc);
      bufPos = p;
      if (buf.length < HEADER_NEEDED) return { chunks: [], bytes: 0 };
    }
    const at = p - bufPos;
    const last = Number(buf.readBigInt64BE(at + BASE_OFFSET)) + buf.readInt32BE(at + LAST_OFFSET_DELTA);
    if (last >= offset) break;
    const size = entrySize(buf, at);
    if (size <= 0) return { chunks: [], bytes: 0 };
    p += size;
  }
  const first = entrySize(buf, p - bufPos);
  if (first > maxBytes && !minOneBatch) return { chunks: [], bytes: 0 };
  const limit = Math.min(end - p, Math.max(maxBytes, first));
  let region: Buffer;
  if (p - bufPos + limit <= buf.length) region = buf.subarray(p - bufPos, p - bufPos + limit);
  else region = await readAt(fs, fd, p, limit, alloc);
  // Keep whole batches only.
  let q = 0;
  while (q < region.length) {
    const size = entrySize(region, q);
    if (size < 0 || q + size > region.length) break;
    q += size;
  }
  return q === 0 ? { chunks: [], bytes: 0 } : { chunks: [region.subarray(0, q)], bytes: q };
}

/** The first written batch in seg at or after fromOffset whose maxTimestamp >= timestamp. */
export async function findTimestampInSegment(
  fs: StorageFs,
  seg: FileSegment,
  fromOffset: number,
  timestamp: number,
): Promise<ScannedBatch | null> {
  let found: ScannedBatch | null = null;
  await scanBatches(
    fs,
    seg.fd,
    seg.index.lookup(fromOffset),
    seg.writtenBytes,
    { segmentBase: seg.baseOffset, nextOffset: seg.baseOffset, checkCrc: false },
    (b) => {
      if (b.lastOffset >= fromOffset && b.maxTimestamp >= timestamp) {
        found = b;
        return true;
      }
      return false;
    },
  );
  return found;
}

/**
 * When every batch in `chunks` is empty (recordCount 0, as the log cleaner leaves behind to keep
 * offsets and producer state), the offset after the last of them; otherwise null.
 */
export function afterEmptyBatches(chunks: Buffer[]): number | null {
  let next: number | null = null;
  for (const c of chunks) {
    for (let p = 0; p + RECORD_COUNT + 4 <= c.length; p += entrySize(c, p)) {
      if (c.readInt32BE(p + RECORD_COUNT) !== 0 || entrySize(c, p) <= 0) return null;
      next = Number(c.readBigInt64BE(p + BASE_OFFSET)) + c.readInt32BE(p + LAST_OFFSET_DELTA) + 1;
    }
  }
  return next;
}
