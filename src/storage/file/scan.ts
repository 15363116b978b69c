/**
 * Walks the batches of a segment file in large reads. Recovery validates every batch (length
 * sane, magic 2, CRC-32C, offsets increasing) and stops at the first bad one; the caller then
 * truncates the file there. A torn batch at the end of the file is simply a bad batch.
 * onBatch may return true to stop early (lookups).
 */
import type { StorageFs } from './fs.js';
import { readAt } from './fs.js';
import {
  BASE_OFFSET,
  BATCH_HEADER_SIZE,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  batchCrcValid,
  entrySize,
} from '../../protocol/records/batch-header.js';

const CHUNK = 4 * 1024 * 1024;
const MAX_RELATIVE_OFFSET = 0x7fffffff;

export interface ScannedBatch {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

export interface ScanResult {
  /** Bytes from the start of the file that hold good batches. */
  validBytes: number;
  batches: number;
  /** Why the scan stopped before fileSize, if it did. */
  problem: string | null;
}

export interface ScanOptions {
  segmentBase: number;
  /** Offsets must be at least this (the previous batch's last offset + 1). */
  nextOffset: number;
  /** Check CRCs (recovery); without it only lengths, magic and offsets are checked. */
  checkCrc: boolean;
}

export async function scanBatches(
  fs: StorageFs,
  fd: number,
  start: number,
  fileSize: number,
  opts: ScanOptions,
  onBatch: (b: ScannedBatch) => boolean | void,
): Promise<ScanResult> {
  let pos = start;
  let next = opts.nextOffset;
  let batches = 0;
  let chunk: Buffer = Buffer.alloc(0);
  let chunkPos = start;
  const stop = (problem: string): ScanResult => ({ validBytes: pos, batches, problem });

  while (pos < fileSize) {
    let at = pos - chunkPos;
    if (chunk.length - at < LOG_OVERHEAD) {
      if (fileSize - pos < LOG_OVERHEAD) return stop('torn length field at end of file');
      chunk = await readAt(fs, fd, pos, Math.min(CHUNK, fileSize - pos));
      chunkPos = pos;
      at = 0;
    }
    const size = entrySize(chunk, at);
    if (size < BATCH_HEADER_SIZE) return stop(`batch length ${size} too small`);
    if (size > fileSize - pos) return stop(`batch of ${size} bytes runs past end of file (torn write)`);
    if (chunk.length - at < size) {
      chunk = await readAt(fs, fd, pos, Math.max(size, Math.min(CHUNK, fileSize - pos)));
      chunkPos = pos;
      at = 0;
      if (chunk.length < size) return stop('short read');
    }
    if (chunk.readInt8(at + MAGIC) !== 2) return stop(`magic ${chunk.readInt8(at + MAGIC)} is not 2`);
    if (opts.checkCrc && !batchCrcValid(chunk, at, size)) return stop('CRC-32C mismatch');
    const baseOffset = Number(chunk.readBigInt64BE(at + BASE_OFFSET));
    const delta = chunk.readInt32BE(at + LAST_OFFSET_DELTA);
    const lastOffset = baseOffset + delta;
    if (delta < 0 || baseOffset < next) return stop(`offset ${baseOffset} does not follow ${next - 1}`);
    if (lastOffset - opts.segmentBase > MAX_RELATIVE_OFFSET) return stop('offset out of segment range');
    const done = onBatch({
      position: pos,
      size,
      baseOffset,
      lastOffset,
      maxTimestamp: Number(chunk.readBigInt64BE(at + MAX_TIMESTAMP)),
    });
    batches++;
    next = lastOffset + 1;
    pos += size;
    if (done === true) break;
  }
  return { validBytes: pos, batches, problem: null };
}
