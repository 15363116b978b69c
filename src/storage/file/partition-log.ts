/**
 * A partition log on disk: an ordered list of segments, the last one active. append() does all
 * bookkeeping synchronously (offsets, positions, index entries, roll) and hands the bytes to the
 * LogWriter; reads are served from the tail cache when recent, else from the segment files.
 */
import type {
  AppendBatch,
  AppendResult,
  Durability,
  LogConfig,
  PartitionLog,
  ReadResult,
  RecordChunk,
  TimestampLookup,
} from '../engine.js';
import { setBaseOffset, setPartitionLeaderEpoch } from '../../protocol/records/batch-header.js';
import { LogFailedError, OffsetOutOfRangeError } from '../errors.js';
import { Listeners } from '../listeners.js';
import { segmentsToDelete, shouldRoll } from '../policy.js';
import { readAt, type StorageFs } from './fs.js';
import { FileSpan } from './file-span.js';
import { SPAN_MIN_BYTES, afterEmptyBatches, findTimestampInSegment, readSegment } from './read.js';
import { FileSegment } from './segment.js';
import { TailCache, type TailCacheBudget } from './tail-cache.js';
import type { ReadBufferPool, ReadLease } from '../read-lease.js';
import { LogWriter, type SyncWrites } from './writer.js';

export interface FileLogOptions {
  fs: StorageFs;
  now: () => number;
  tailCacheBytes: number;
  /** Broker-wide tail cache budget (log.tail.cache.bytes), shared by every partition. */
  tailCacheBudget?: TailCacheBudget;
  /** Lends read buffers to reads made under a lease (Fetch). */
  readPool?: ReadBufferPool;
  /** Which appends are written on the JS thread (the engine's, shared by its logs). */
  syncWrites?: SyncWrites;
  /** The log start offset moved (the engine persists it). */
  onLogStartChanged: (log: FilePartitionLog) => void;
  onFailure: (log: FilePartitionLog, e: Error) => void;
}

export class FilePartitionLog implements PartitionLog {
  private readonly listeners = new Listeners();
  private readonly cache: TailCache;
  readonly writer: LogWriter;
  private startOffset: number;
  private endOffset: number;
  private closed = false;
  private readonly inflight = new Set<Promise<unknown>>();
  /** Serializes changes to the segment list other than appends/rolls (retention, DeleteRecords, cleaner swaps). */
  private segmentLock: Promise<unknown> = Promise.resolve();
  private closing = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly dir: string,
    private config: LogConfig,
    private segments: FileSegment[],
    logStartOffset: number,
    private readonly opts: FileLogOptions,
  ) {
    this.endOffset = segments[segments.length - 1].nextOffset;
    this.startOffset = Math.min(Math.max(logStartOffset, segments[0].baseOffset), this.endOffset);
    this.cache = new TailCache(opts.tailCacheBytes, opts.tailCacheBudget ?? null);
    this.writer = new LogWriter(
      opts.fs,
      {
        onWritten: (off) => this.cache.evict(off),
        onRolled: (seg) => this.sealSegment(seg),
        flushIntervalMessages: () => this.config.flushIntervalMessages,
        now: opts.now,
        onFailure: (e) => opts.onFailure(this, e),
      },
      this.endOffset,
      opts.syncWrites,
    );
  }

  get name(): string {
    return `${this.topic}-${this.partition}`;
  }
  logStartOffset(): number {
    return this.startOffset;
  }
  logEndOffset(): number {
    return this.endOffset;
  }
  sizeBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.sizeBytes;
    return n;
  }
  /** Offset up to which everything is fsynced (the recovery point). */
  recoveryPoint(): number {
    return this.writer.syncedOffset;
  }
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }
  append(batches: AppendBatch[], leaderEpoch: number, durability: Durability): Promise<AppendResult> {
    if (this.writer.failure) return Promise.reject(new LogFailedError(this.name, this.writer.failure));
    if (this.closed) return Promise.reject(new Error(`log ${this.name} is closed`));
    const now = this.opts.now();
    const first = this.endOffset;
    let active = this.segments[this.segments.length - 1];
    let runStart = active.sizeBytes;
    let bufs: Buffer[] = [];
    let bytes = 0;
    let records = 0;
    let pending: Promise<void> | null = null;
    const flushRun = (): void => {
      if (bufs.length === 0) return;
      pending = this.writer.write(active, runStart, bufs, bytes, records, this.endOffset, durability);
      bufs = [];
      bytes = 0;
      records = 0;
    };
    for (const b of batches) {
      if (shouldRoll(active, b.buf.length, now, this.config)) {
        flushRun();
        this.writer.roll(active);
        active = new FileSegment(this.dir, this.endOffset);
        this.segments.push(active);
        runStart = 0;
      }
      const base = this.endOffset;
      const last = base + b.offsetCount - 1;
      setBaseOffset(b.buf, 0, base);
      setPartitionLeaderEpoch(b.buf, 0, leaderEpoch);
      if (active.firstAppendAt < 0) active.firstAppendAt = now;
      active.addBatch(active.sizeBytes, b.buf.length, last, b.maxTimestamp, this.config.indexIntervalBytes);
      this.cache.push({ baseOffset: base, lastOffset: last, maxTimestamp: b.maxTimestamp, buf: b.buf });
      bufs.push(b.buf);
      bytes += b.buf.length;
      records += b.offsetCount;
      this.endOffset = last + 1;
    }
    flushRun();
    const result: AppendResult = { baseOffset: first, lastOffset: this.endOffset - 1, logStartOffset: this.startOffset };
    if (batches.length > 0) this.listeners.fire();
    const p = pending as Promise<void> | null;
    if (durability === 'none' || p === null) return Promise.resolve(result);
    return p.then(
      () => result,
      (e: Error) => {
        throw new LogFailedError(this.name, e);
      },
    );
  }

  read(offset: number, maxBytes: number, minOneBatch: boolean): Promise<ReadResult>;
  read(offset: number, maxBytes: number, minOneBatch: boolean, lease: ReadLease | undefined): Promise<ReadResult<RecordChunk>>;
  async read(offset: number, maxBytes: number, minOneBatch: boolean, lease?: ReadLease): Promise<ReadResult<RecordChunk>> {
    if (offset < this.startOffset || offset > this.endOffset) {
      throw new OffsetOutOfRangeError(offset, this.startOffset, this.endOffset);
    }
    if (offset === this.endOffset) return { chunks: [], bytes: 0 };
    if (offset >= this.cache.firstOffset()) return this.cache.read(offset, maxBytes, minOneBatch, lease);
    const seg = this.segments[this.segmentIndexFor(offset)];
    const pool = this.opts.readPool;
    const alloc = lease && pool ? (n: number) => pool.acquire(n, lease) : undefined;
    const spanFrom = lease?.spans ? SPAN_MIN_BYTES : undefined;
    const res = await this.track(readSegment(this.opts.fs, seg, offset, maxBytes, minOneBatch, this.config.indexIntervalBytes, alloc, spanFrom));
    if (res.span && lease) {
      // Still this log's segment and open (a swap or deletion may have come during the read).
      if (seg.fd < 0 || !this.segments.includes(seg)) return this.read(offset, maxBytes, minOneBatch, lease);
      return { chunks: [new FileSpan(this.opts.fs, seg, res.span, lease)], bytes: res.bytes };
    }
    // A compacted segment may end in empty batches only: go on to data so clients can move forward.
    const next = afterEmptyBatches(res.chunks);
    if (next === null || next >= this.endOffset || res.bytes >= maxBytes || next < this.startOffset) return res;
    const more = await this.read(next, maxBytes - res.bytes, minOneBatch, lease);
    return { chunks: [...res.chunks, ...more.chunks], bytes: res.bytes + more.bytes };
  }

  async offsetForTimestamp(timestamp: number): Promise<TimestampLookup | null> {
    for (const seg of this.segments) {
      if (seg.maxTimestamp < timestamp || seg.nextOffset <= this.startOffset) continue;
      const entry = seg.timeIndex.lastBelow(timestamp);
      const from = Math.max(entry ? entry.offset : seg.baseOffset, this.startOffset);
      const found =
        (from < this.cache.firstOffset() && seg.writtenBytes > 0
          ? await this.track(findTimestampInSegment(this.opts.fs, seg, from, timestamp))
          : null) ?? this.cache.findTimestamp(from, timestamp);
      if (found) return { offset: Math.max(found.baseOffset, this.startOffset), timestamp: found.maxTimestamp };
    }
    return null;
  }

  async maxTimestamp(): Promise<TimestampLookup | null> {
    let best: TimestampLookup | null = null;
    for (const seg of this.segments) {
      if (seg.nextOffset <= this.startOffset || seg.maxTimestamp < 0) continue;
      if (best === null || seg.maxTimestamp > best.timestamp) {
        best = { offset: seg.offsetOfMaxTimestamp, timestamp: seg.maxTimestamp };
      }
    }
    return best;
  }

  async deleteRecordsBefore(offset: number): Promise<void> {
    if (offset < 0 || offset > this.endOffset) throw new OffsetOutOfRangeError(offset, this.startOffset, this.endOffset);
    if (offset <= this.startOffset) return;
    this.startOffset = offset;
    this.opts.onLogStartChanged(this);
    const noRetention = { ...this.config, retentionMs: -1, retentionBytes: -1 };
    await this.writer.sealed();
    await this.locked(() => this.deleteOldest(segmentsToDelete(this.segments, 0, noRetention, this.startOffset)));
  }

  async applyRetention(now: number): Promise<number> {
    await this.writer.sealed();
    return this.locked(() => this.deleteOldest(segmentsToDelete(this.segments, now, this.config, this.startOffset)));
  }

  /** The config in force (the log cleaner reads the compaction settings). */
  currentConfig(): LogConfig {
    return this.config;
  }

  /** Resolves once every rolled segment is sealed (the cleaner takes only sealed segments). */
  sealed(): Promise<void> {
    return this.writer.sealed();
  }

  /** Log cleaner: the sealed inactive segments from the oldest on (never the active one). */
  inactiveSegments(): FileSegment[] {
    const out: FileSegment[] = [];
    for (let i = 0; i < this.segments.length - 1 && this.segments[i].sealed; i++) out.push(this.segments[i]);
    return out;
  }

  /** Log cleaner: bytes of a segment still in this log; tracked, so deletion and swaps wait for it. */
  readSegmentBytes(seg: FileSegment, position: number, length: number): Promise<Buffer> {
    if (this.closed || seg.fd < 0 || !this.segments.includes(seg)) {
      return Promise.reject(new Error(`segment ${seg.baseOffset} of ${this.name} is no longer in the log`));
    }
    return this.track(readAt(this.opts.fs, seg.fd, position, length));
  }

  /**
   * Log cleaner: swaps `replacement` in for `group` (contiguous sealed segments), atomically for
   * readers: under the segment lock, only if the group is still in the log, `commit` makes the swap
   * durable, the list changes in one step, `finish` tidies the files; old descriptors close once the
   * reads in flight (which may still use them) are done. Returns false when the group is gone.
   */
  async replaceSegments(
    group: FileSegment[],
    replacement: FileSegment,
    commit: () => Promise<void>,
    finish: () => Promise<void>,
  ): Promise<boolean> {
    return this.locked(async () => {
      const i = this.segments.indexOf(group[0]);
      const intact = i >= 0 && i + group.length < this.segments.length && group.every((s, k) => this.segments[i + k] === s);
      if (this.closing || this.closed || !intact) return false;
      await commit();
      this.segments.splice(i, group.length, replacement);
      this.cache.dropBelow(replacement.nextOffset);
      try {
        await finish();
      } finally {
        await Promise.allSettled([...this.inflight]);
        for (const seg of group) await seg.close(this.opts.fs);
      }
      return true;
    });
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.segmentLock.then(fn, fn);
    this.segmentLock = run.catch(() => undefined);
    return run;
  }

  updateConfig(config: LogConfig): void {
    this.config = config;
  }

  onAppend(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** Fsyncs everything appended so far. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Periodic duty: honour flush.ms. */
  async tick(now: number): Promise<void> {
    if (this.writer.failure || this.closed) return;
    if (this.writer.unflushed > 0 && now - this.writer.lastSyncAt >= this.config.flushIntervalMs) await this.flush();
  }

  async writeIndexes(): Promise<void> {
    for (const seg of this.segments) await seg.writeIndexes(this.opts.fs);
  }

  /** Flushes, persists indexes (sealing the active time index) and closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    await this.locked(async () => undefined);
    if (!this.writer.failure) {
      await this.writer.flush();
      this.segments[this.segments.length - 1].sealTimeIndex();
      await this.writeIndexes();
    }
    this.closed = true;
    await this.writer.idle();
    await Promise.allSettled([...this.inflight]);
    for (const seg of this.segments) await seg.close(this.opts.fs);
    this.cache.clear();
  }

  /** Closes the files without flushing (deletePartition, failed logs). */
  async abandon(): Promise<void> {
    this.closed = this.closing = true;
    await this.writer.idle();
    await Promise.allSettled([...this.inflight]);
    for (const seg of this.segments) await seg.close(this.opts.fs);
  }

  private async sealSegment(seg: FileSegment): Promise<void> {
    if (seg.fd >= 0) await this.opts.fs.fdatasync(seg.fd);
    seg.sealTimeIndex();
    await seg.writeIndexes(this.opts.fs);
    seg.sealed = true;
  }

  private async deleteOldest(n: number): Promise<number> {
    let count = 0;
    while (count < n && this.segments[count].sealed) count++;
    if (count === 0) return 0;
    const gone = this.segments.splice(0, count);
    const newStart = Math.max(this.startOffset, this.segments[0].baseOffset);
    if (newStart !== this.startOffset) {
      this.startOffset = newStart;
      this.opts.onLogStartChanged(this);
    }
    await Promise.allSettled([...this.inflight]);
    for (const seg of gone) await seg.deleteFiles(this.opts.fs);
    return count;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
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
