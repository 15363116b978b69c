/**
 * In-memory partition log: the same semantics as the file engine (offsets, whole-batch reads,
 * logical segments for roll and retention, log start offset) without any I/O. For tests and
 * embedded use. Appended Buffers are kept as given (their header rewritten in place).
 */
import type {
  AppendBatch,
  AppendResult,
  Durability,
  LogConfig,
  PartitionLog,
  ReadResult,
  TimestampLookup,
} from '../engine.js';
import { setBaseOffset, setPartitionLeaderEpoch } from '../../protocol/records/batch-header.js';
import { OffsetOutOfRangeError } from '../errors.js';
import { segmentsToDelete, shouldRoll, type SegmentSummary } from '../policy.js';
import { Listeners } from '../listeners.js';

interface MemBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  buf: Buffer;
}

interface MemSegment extends SegmentSummary {
  batches: MemBatch[];
}

export class MemoryPartitionLog implements PartitionLog {
  private segments: MemSegment[];
  private startOffset = 0;
  private endOffset = 0;
  private totalBytes = 0;
  private readonly listeners = new Listeners();

  constructor(
    readonly topic: string,
    readonly partition: number,
    private config: LogConfig,
    private readonly now: () => number,
  ) {
    this.segments = [emptySegment(0)];
  }

  logStartOffset(): number {
    return this.startOffset;
  }
  logEndOffset(): number {
    return this.endOffset;
  }
  sizeBytes(): number {
    return this.totalBytes;
  }
  /** Base offsets of the logical segments, oldest first (tests and admin tools). */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  append(batches: AppendBatch[], leaderEpoch: number, _durability: Durability): Promise<AppendResult> {
    const first = this.endOffset;
    const now = this.now();
    for (const b of batches) {
      let active = this.segments[this.segments.length - 1];
      if (shouldRoll(active, b.buf.length, now, this.config)) {
        active = emptySegment(this.endOffset);
        this.segments.push(active);
      }
      const base = this.endOffset;
      const buf = Buffer.from(b.buf); // b.buf may be a request frame that is reused (AppendBatch)
      setBaseOffset(buf, 0, base);
      setPartitionLeaderEpoch(buf, 0, leaderEpoch);
      const last = base + b.offsetCount - 1;
      active.batches.push({ baseOffset: base, lastOffset: last, maxTimestamp: b.maxTimestamp, buf });
      if (active.firstAppendAt < 0) active.firstAppendAt = now;
      active.sizeBytes += b.buf.length;
      active.maxTimestamp = Math.max(active.maxTimestamp, b.maxTimestamp);
      active.nextOffset = last + 1;
      this.totalBytes += b.buf.length;
      this.endOffset = last + 1;
    }
    const result = { baseOffset: first, lastOffset: this.endOffset - 1, logStartOffset: this.startOffset };
    this.listeners.fire();
    return Promise.resolve(result);
  }

  async read(offset: number, maxBytes: number, minOneBatch: boolean): Promise<ReadResult> {
    if (offset < this.startOffset || offset > this.endOffset) {
      throw new OffsetOutOfRangeError(offset, this.startOffset, this.endOffset);
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    let si = this.segmentIndexFor(offset);
    let bi = firstBatchEndingAtOrAfter(this.segments[si].batches, offset);
    for (; si < this.segments.length; si++, bi = 0) {
      const list = this.segments[si].batches;
      for (; bi < list.length; bi++) {
        const len = list[bi].buf.length;
        if (bytes + len > maxBytes && !(minOneBatch && chunks.length === 0)) return { chunks, bytes };
        chunks.push(list[bi].buf);
        bytes += len;
      }
    }
    return { chunks, bytes };
  }

  async offsetForTimestamp(timestamp: number): Promise<TimestampLookup | null> {
    for (const s of this.segments) {
      if (s.maxTimestamp < timestamp || s.nextOffset <= this.startOffset) continue;
      for (const b of s.batches) {
        if (b.lastOffset >= this.startOffset && b.maxTimestamp >= timestamp) {
          return { offset: Math.max(b.baseOffset, this.startOffset), timestamp: b.maxTimestamp };
        }
      }
    }
    return null;
  }

  async maxTimestamp(): Promise<TimestampLookup | null> {
    let best: TimestampLookup | null = null;
    for (const s of this.segments) {
      for (const b of s.batches) {
        if (b.lastOffset < this.startOffset) continue;
        if (best === null || b.maxTimestamp > best.timestamp) best = { offset: b.lastOffset, timestamp: b.maxTimestamp };
      }
    }
    return best;
  }

  async deleteRecordsBefore(offset: number): Promise<void> {
    if (offset < 0 || offset > this.endOffset) throw new OffsetOutOfRangeError(offset, this.startOffset, this.endOffset);
    if (offset <= this.startOffset) return;
    this.startOffset = offset;
    this.dropSegments(segmentsToDelete(this.segments, Number.NEGATIVE_INFINITY, noRetention(this.config), offset));
  }

  async applyRetention(now: number): Promise<number> {
    const n = segmentsToDelete(this.segments, now, this.config, this.startOffset);
    this.dropSegments(n);
    return n;
  }

  updateConfig(config: LogConfig): void {
    this.config = config;
  }

  onAppend(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  private dropSegments(n: number): void {
    if (n === 0) return;
    for (const s of this.segments.slice(0, n)) this.totalBytes -= s.sizeBytes;
    this.segments = this.segments.slice(n);
    this.startOffset = Math.max(this.startOffset, this.segments[0].baseOffset);
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function emptySegment(baseOffset: number): MemSegment {
  return { baseOffset, nextOffset: baseOffset, sizeBytes: 0, maxTimestamp: -1, firstAppendAt: -1, batches: [] };
}

export function noRetention(config: LogConfig): LogConfig {
  return { ...config, retentionMs: -1, retentionBytes: -1 };
}

function firstBatchEndingAtOrAfter(list: MemBatch[], offset: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].lastOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
