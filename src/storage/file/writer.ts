/**
 * The write pipeline of one partition log. Appends are queued in offset order; one writer loop
 * drains the queue, coalescing every queued append for the same segment into one vectored
 * positional write. Durability:
 *   written  resolves when the write that carried the append returned;
 *   synced   resolves after an fdatasync that started after that write (group commit: each fsync
 *            covers every waiter queued before it began; waiters arriving meanwhile wait for the next);
 *   none     the caller does not wait, but the bytes still go out in order.
 * Runs of up to SyncWrites.maxBytes are written on the JS thread (writevSync): copying a produce
 * request's batches into the page cache takes tens of microseconds, less than handing them to the
 * thread pool and waking the event loop again. Larger runs (a backlog that queued up behind a slow
 * write) go to the thread pool, and so does every write for a while after one on the JS thread was
 * slow (a stalled disk or writeback throttling must not stop every connection). fsync always does.
 * An I/O error fails the log: queued and future appends reject and nothing reports success
 * after a failed fsync (the page cache state is unknown then).
 */
import type { Durability } from '../engine.js';
import type { StorageFs } from './fs.js';
import { writeAll, writeAllSync } from './fs.js';
import type { FileSegment } from './segment.js';
import type { Logger } from 'pino';

const MAX_IOV = 1024;
const MAX_WRITE_BYTES = 8 * 1024 * 1024;
/** Default for runs written on the JS thread (see above). */
export const SYNC_WRITE_MAX_BYTES = 1024 * 1024;
/** A write on the JS thread slower than this... */
export const SLOW_SYNC_WRITE_MS = 20;
/** ...sends every log's writes to the thread pool for this long. */
export const SYNC_WRITE_BACKOFF_MS = 30_000;

/** When appends are written on the JS thread; one per engine, shared by its logs (one disk). */
export class SyncWrites {
  private poolUntil = -Infinity;
  slowWrites = 0;

  constructor(
    readonly maxBytes: number,
    private readonly now: () => number,
    private readonly logger?: Logger,
  ) {}

  use(bytes: number): boolean {
    return bytes <= this.maxBytes && this.now() >= this.poolUntil;
  }

  /** A write on the JS thread took ms (wall clock). */
  took(ms: number, bytes: number): void {
    if (ms <= SLOW_SYNC_WRITE_MS) return;
    this.slowWrites++;
    this.poolUntil = this.now() + SYNC_WRITE_BACKOFF_MS;
    this.logger?.warn({ ms: Math.round(ms), bytes, poolForMs: SYNC_WRITE_BACKOFF_MS }, 'slow log write on the event loop: writing through the thread pool for a while');
  }
}

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

type Item =
  | {
      kind: 'write';
      seg: FileSegment;
      position: number;
      bufs: Buffer[];
      bytes: number;
      records: number;
      endOffset: number;
      durability: Durability;
      waiter: Waiter | null;
    }
  | { kind: 'roll'; seg: FileSegment }
  | { kind: 'flush'; waiter: Waiter };

export interface WriterHooks {
  /** Bytes up to endOffset are in the file (the tail cache may drop them). */
  onWritten(endOffset: number): void;
  /** A rolled segment's last bytes are written: seal and persist its indexes. */
  onRolled(seg: FileSegment): Promise<void>;
  flushIntervalMessages(): number;
  now(): number;
  onFailure(e: Error): void;
}

export class LogWriter {
  private queue: Item[] = [];
  private writing = false;
  private syncing = false;
  private syncWaiters: Waiter[] = [];
  /** Waiters covered by the fsync in progress. */
  private syncingWaiters: Waiter[] = [];
  private dirty = new Set<FileSegment>();
  private unflushedRecords = 0;
  private forceSync = false;
  /** Seals of rolled segments in progress. */
  private readonly seals = new Set<Promise<void>>();
  failure: Error | null = null;
  writtenOffset: number;
  syncedOffset: number;
  lastSyncAt: number;
  fsyncs = 0;
  writes = 0;

  constructor(
    private readonly fs: StorageFs,
    private readonly hooks: WriterHooks,
    endOffset: number,
    private readonly syncWrites = new SyncWrites(SYNC_WRITE_MAX_BYTES, hooks.now),
  ) {
    this.writtenOffset = endOffset;
    this.syncedOffset = endOffset;
    this.lastSyncAt = hooks.now();
  }

  /** Queues bytes for seg at position; the promise settles at `durability` (null for 'none'). */
  write(
    seg: FileSegment,
    position: number,
    bufs: Buffer[],
    bytes: number,
    records: number,
    endOffset: number,
    durability: Durability,
  ): Promise<void> | null {
    let promise: Promise<void> | null = null;
    let waiter: Waiter | null = null;
    if (durability !== 'none') {
      promise = new Promise<void>((resolve, reject) => (waiter = { resolve, reject }));
    }
    this.queue.push({ kind: 'write', seg, position, bufs, bytes, records, endOffset, durability, waiter });
    this.kick();
    return promise;
  }

  roll(seg: FileSegment): void {
    this.queue.push({ kind: 'roll', seg });
    this.kick();
  }

  /** Resolves once everything queued so far is written and fdatasynced. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ kind: 'flush', waiter: { resolve, reject } });
      this.kick();
    });
  }

  get unflushed(): number {
    return this.unflushedRecords;
  }

  private kick(): void {
    if (this.failure) {
      this.rejectQueued(this.failure);
      return;
    }
    if (!this.writing) {
      this.writing = true;
      // After the caller's synchronous work: its bookkeeping is done, and further appends to
      // this log in the same tick are queued by then and share the run.
      queueMicrotask(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failure) {
        const item = this.queue[0];
        if (item.kind === 'roll') {
          this.queue.shift();
          this.seal(item.seg);
        } else if (item.kind === 'flush') {
          this.queue.shift();
          this.forceSync = true;
          this.syncWaiters.push(item.waiter);
          this.startSync();
        } else {
          await this.writeRun();
        }
      }
    } catch (e) {
      this.fail(e as Error);
    } finally {
      this.writing = false;
    }
  }

  /**
   * Seals a rolled segment (fsync, index files) beside the write path, as Kafka flushes a rolled
   * segment in the background: appends go on to the new segment meanwhile. Its last write is done
   * (the roll was queued after it); retention and the cleaner wait for the seal (sealed()).
   */
  private seal(seg: FileSegment): void {
    const p: Promise<void> = this.hooks
      .onRolled(seg)
      .catch((e: Error) => this.fail(e))
      .finally(() => this.seals.delete(p));
    this.seals.add(p);
  }

  /** Resolves once every rolled segment queued so far is sealed (retention and the cleaner wait for it). */
  async sealed(): Promise<void> {
    while (this.seals.size > 0) await Promise.all(this.seals);
  }

  /** One writev for the queued appends at the head of the queue that go to the same segment. */
  private async writeRun(): Promise<void> {
    const head = this.queue[0] as Extract<Item, { kind: 'write' }>;
    const run: Extract<Item, { kind: 'write' }>[] = [];
    const bufs: Buffer[] = [];
    let bytes = 0;
    let i = 0;
    while (i < this.queue.length) {
      const it = this.queue[i];
      if (it.kind !== 'write' || it.seg !== head.seg || it.position !== head.position + bytes) break;
      if (run.length > 0 && (bufs.length + it.bufs.length > MAX_IOV || bytes + it.bytes > MAX_WRITE_BYTES)) break;
      run.push(it);
      for (const b of it.bufs) bufs.push(b);
      bytes += it.bytes;
      i++;
    }
    this.queue.splice(0, run.length);
    try {
      const fd = await head.seg.open(this.fs);
      if (this.syncWrites.use(bytes)) {
        const t0 = performance.now();
        writeAllSync(this.fs, fd, bufs, head.position);
        this.syncWrites.took(performance.now() - t0, bytes);
      } else await writeAll(this.fs, fd, bufs, head.position);
    } catch (e) {
      for (const it of run) it.waiter?.reject(e as Error);
      throw e;
    }
    this.writes++;
    head.seg.writtenBytes = head.position + bytes;
    this.dirty.add(head.seg);
    let records = 0;
    for (const it of run) {
      records += it.records;
      if (it.durability === 'written') it.waiter?.resolve();
      else if (it.durability === 'synced' && it.waiter) this.syncWaiters.push(it.waiter);
    }
    this.unflushedRecords += records;
    this.writtenOffset = run[run.length - 1].endOffset;
    this.hooks.onWritten(this.writtenOffset);
    if (this.unflushedRecords >= this.hooks.flushIntervalMessages()) this.forceSync = true;
    if (this.syncWaiters.length > 0 || this.forceSync) this.startSync();
  }

  private startSync(): void {
    if (this.syncing || this.failure) return;
    this.syncing = true;
    void this.syncLoop();
  }

  private async syncLoop(): Promise<void> {
    try {
      while ((this.syncWaiters.length > 0 || this.forceSync) && !this.failure) {
        const waiters = (this.syncingWaiters = this.syncWaiters);
        this.syncWaiters = [];
        this.forceSync = false;
        const segs = [...this.dirty];
        this.dirty.clear();
        const covered = this.writtenOffset;
        const records = this.unflushedRecords;
        for (const seg of segs) {
          if (seg.fd < 0) continue;
          await this.fs.fdatasync(seg.fd);
          this.fsyncs++;
        }
        this.unflushedRecords -= records;
        this.syncedOffset = covered;
        this.lastSyncAt = this.hooks.now();
        this.syncingWaiters = [];
        for (const w of waiters) w.resolve();
      }
    } catch (e) {
      this.fail(e as Error);
    } finally {
      this.syncing = false;
    }
  }

  private fail(e: Error): void {
    if (!this.failure) {
      this.failure = e;
      this.hooks.onFailure(e);
    }
    const waiters = [...this.syncingWaiters, ...this.syncWaiters];
    this.syncingWaiters = [];
    this.syncWaiters = [];
    for (const w of waiters) w.reject(e);
    this.rejectQueued(e);
  }

  private rejectQueued(e: Error): void {
    const items = this.queue;
    this.queue = [];
    for (const it of items) {
      if (it.kind === 'write') it.waiter?.reject(e);
      else if (it.kind === 'flush') it.waiter.reject(e);
    }
  }

  /** Resolves when nothing is queued, being written, synced or sealed. */
  async idle(): Promise<void> {
    while (this.writing || this.syncing || this.seals.size > 0 || this.queue.length > 0) {
      await new Promise((r) => setImmediate(r));
    }
  }
}
