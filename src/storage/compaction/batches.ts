/**
 * Walks the batches of sealed segments in large reads through the log (reads are tracked, so a
 * concurrent retention or swap waits for them). Yields views into the current chunk: a batch's
 * bytes stay valid only until the next iteration step unless copied.
 */
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, MAGIC, entrySize } from '../../protocol/records/batch-header.js';
import type { FilePartitionLog } from '../file/partition-log.js';
import type { FileSegment } from '../file/segment.js';

const CHUNK = 1024 * 1024;
/** Give the event loop a turn after this many batches of CPU work (decode, re-encode). */
export const YIELD_EVERY = 256;

export interface BatchView {
  buf: Buffer;
  pos: number;
  size: number;
}

export async function* segmentBatches(log: FilePartitionLog, seg: FileSegment): AsyncGenerator<BatchView> {
  const end = seg.writtenBytes;
  let pos = 0;
  let chunk: Buffer = Buffer.alloc(0);
  let chunkPos = 0;
  while (pos < end) {
    let at = pos - chunkPos;
    if (chunk.length - at < LOG_OVERHEAD || chunk.length - at < entrySize(chunk, at)) {
      chunk = await log.readSegmentBytes(seg, pos, Math.min(CHUNK, end - pos));
      chunkPos = pos;
      at = 0;
      if (chunk.length >= LOG_OVERHEAD && entrySize(chunk, 0) > chunk.length) {
        chunk = await log.readSegmentBytes(seg, pos, Math.min(entrySize(chunk, 0), end - pos));
      }
    }
    const size = entrySize(chunk, at);
    if (size < BATCH_HEADER_SIZE || at + size > chunk.length || chunk.readInt8(at + MAGIC) !== 2) {
      throw new Error(`unreadable batch in ${seg.logPath} at ${pos}`);
    }
    yield { buf: chunk, pos: at, size };
    pos += size;
  }
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
