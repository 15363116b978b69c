/**
 * Reading whole batches from a segment file: the offset index gives a position at or before the
 * wanted batch, batch headers are skipped from there, then one read takes the whole batches that
 * fit. Only the written part of the file is read. `alloc`, when given, supplies the read buffers
 * (a pool's, lent for one response).
 *
 * With `spanFrom`, a read of at least that many bytes is not made at all: the result is a span of
 * the file (position, length) for the connection to stream. Its end comes from the offset index,
 * whose entries are batch starts, so the span holds whole batches without reading them; it may stop
 * up to an index interval and a batch short of maxBytes, as Kafka's reads may stop short too.
 */
import type { StorageFs } from './fs.js';
import { readAt } from './fs.js';
import { BASE_OFFSET, LAST_OFFSET_DELTA, RECORD_COUNT, entrySize } from '../../protocol/records/batch-header.js';
import type { FileSegment } from './segment.js';
import { scanBatches, type ScannedBatch } from './scan.js';

const HEADER_NEEDED = LAST_OFFSET_DELTA + 4;
/** Reads under a lease that allows spans stream from the file from this size on (connection.ts). */
export const SPAN_MIN_BYTES = 256 * 1024;
const READ_SLACK = 64 * 1024;

/** Bytes of a segment file to stream instead of reading them here; lastOffsetBound is at or above their last offset. */
export interface PlannedSpan {
  position: number;
  length: number;
  lastOffsetBound: number;
}

export interface SegmentRead {
  chunks: Buffer[];
  bytes: number;
  /** Instead of chunks, when the read was planned as a span (`spanFrom`). */
  span?: PlannedSpan;
}

export async function readSegment(
  fs: StorageFs,
  seg: FileSegment,
  offset: number,
  maxBytes: number,
  minOneBatch: boolean,
  indexInterval: number,
  alloc?: (n: number) => Buffer,
  spanFrom?: number,
): Promise<SegmentRead> {
  const end = seg.writtenBytes;
  const fd = seg.fd;
  let p = seg.index.lookup(offset);
  // Only headers are needed while planning a span: read little.
  const ahead = spanFrom === undefined ? Math.max(0, maxBytes) + indexInterval + READ_SLACK : indexInterval + READ_SLACK;
  let buf: Buffer = Buffer.alloc(0);
  let bufPos = p;
  let firstLast = -1;
  // Skip the batches that end before offset.
  for (;;) {
    if (p >= end) return { chunks: [], bytes: 0 };
    if (buf.length - (p - bufPos) < HEADER_NEEDED) {
      buf = await readAt(fs, fd, p, Math.min(end - p, ahead), alloc);
      bufPos = p;
      if (buf.length < HEADER_NEEDED) return { chunks: [], bytes: 0 };
    }
    const at = p - bufPos;
    firstLast = Number(buf.readBigInt64BE(at + BASE_OFFSET)) + buf.readInt32BE(at + LAST_OFFSET_DELTA);
    if (firstLast >= offset) break;
    const size = entrySize(buf, at);
    if (size <= 0) return { chunks: [], bytes: 0 };
    p += size;
  }
  const first = entrySize(buf, p - bufPos);
  if (first > maxBytes && !minOneBatch) return { chunks: [], bytes: 0 };
  const limit = Math.min(end - p, Math.max(maxBytes, first));
  if (spanFrom !== undefined && first > 0 && p + first <= end && limit >= spanFrom) {
    // The span ends at the first batch's end, or further at the last indexed batch start within the limit.
    let stop = p + first;
    let lastOffsetBound = firstLast;
    const cut = seg.index.entryAtOrBelowPosition(p + limit);
    if (cut && cut.position > stop) {
      stop = cut.position;
      lastOffsetBound = cut.offset;
    }
    if (stop - p >= spanFrom) return { chunks: [], bytes: stop - p, span: { position: p, length: stop - p, lastOffsetBound } };
  }
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
