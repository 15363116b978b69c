/**
 * The most recently appended batches of a partition, kept in memory so consumers at the tail
 * never touch the disk. Bounded by bytes per partition and, when a TailCacheBudget is given, by a
 * broker-wide total (log.tail.cache.bytes): over the total, the least recently used partitions
 * (append or read) give up their oldest batches first. A batch is never dropped before it is
 * written (everything below the cache's first offset is in the files), so the total may be
 * exceeded briefly by bytes still waiting for their write.
 *
 * Every batch is copied on push. The produce path's request frames are reused once their appends
 * are written (src/protocol/primitives/buffer-pool.ts), so the cache may not keep views of them;
 * a copy also never keeps more than its accounted bytes alive, as a view of a request carrying many
 * partitions would. Dropped batches are unreferenced at once (their slots are cleared). Copies of
 * more than 4 KiB go into pooled buffers, which return to the pool once the batch is dropped and no
 * response still holds them (a read under a ReadLease holds them until the lease is released), so a
 * steady stream of produce requests allocates no new memory for the cache.
 */
import { BufferPool, bufferPool } from '../../protocol/primitives/buffer-pool.js';
import type { ReadLease } from '../read-lease.js';

export interface CachedBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  buf: Buffer;
  /** Set when buf is pooled: released when the batch leaves the cache. */
  copy?: PooledCopy;
}

/** A cached batch's pooled buffer: back to its pool once the cache and every response holding it let go. */
export class PooledCopy {
  private refs = 1;
  constructor(
    private readonly pool: BufferPool,
    private readonly buf: Buffer,
  ) {}

  /** One more holder, until the lease is released. */
  holdFor(lease: ReadLease): void {
    this.refs++;
    lease.hold(this.unref);
  }

  readonly unref = (): void => {
    if (--this.refs === 0) this.pool.give(this.buf);
  };
}

/** A byte budget shared by the tail caches of one broker, evicting least recently used first. */
export class TailCacheBudget {
  /** Accounted bytes over every registered cache. */
  usedBytes = 0;
  /** Caches holding bytes; iteration order is least recently used first. */
  private readonly lru = new Set<TailCache>();
  private enforcing = false;

  constructor(readonly limitBytes: number) {}

  /** The most recently used cache (touching it again is free). */
  private mru: TailCache | null = null;

  /** Marks `c` as most recently used (registers it if new). */
  touch(c: TailCache): void {
    if (this.mru === c) return;
    this.lru.delete(c);
    this.lru.add(c);
    this.mru = c;
  }

  forget(c: TailCache): void {
    this.lru.delete(c);
    if (this.mru === c) this.mru = null;
  }

  /** Caches currently registered (tests, metrics). */
  get caches(): number {
    return this.lru.size;
  }

  /** Evicts written batches, least recently used partition first, until within the limit. */
  enforce(): void {
    if (this.usedBytes <= this.limitBytes || this.enforcing) return;
    this.enforcing = true;
    try {
      for (const c of this.lru) {
        if (this.usedBytes <= this.limitBytes) break;
        c.shrinkBy(this.usedBytes - this.limitBytes);
      }
    } finally {
      this.enforcing = false;
    }
  }
}

export class TailCache {
  /** Slots before `head` are cleared (undefined) and compacted away from time to time. */
  private items: (CachedBatch | undefined)[] = [];
  private head = 0;
  private bytes = 0;
  /** Everything below this offset is in the files: only such batches may be dropped. */
  private written = 0;

  constructor(
    private readonly limitBytes: number,
    private readonly budget: TailCacheBudget | null = null,
    private readonly pool: BufferPool = bufferPool,
  ) {}

  /** Bytes held (tests, metrics). */
  get sizeBytes(): number {
    return this.bytes;
  }

  push(b: CachedBatch): void {
    const buf = this.pool.take(b.buf.length);
    b.buf.copy(buf);
    b = { ...b, buf, copy: this.pool.pools(buf.length) ? new PooledCopy(this.pool, buf) : undefined };
    this.items.push(b);
    this.bytes += b.buf.length;
    if (this.budget) {
      this.budget.usedBytes += b.buf.length;
      this.budget.touch(this);
    }
  }

  /** Drops the oldest written batches while over the partition's limit or the broker's budget. */
  evict(writtenOffset: number): void {
    if (writtenOffset > this.written) this.written = writtenOffset;
    if (this.bytes > this.limitBytes) this.dropWritten(this.bytes - this.limitBytes);
    this.budget?.enforce();
  }

  /** Drops at least `n` bytes of the oldest written batches if there are that many (budget eviction). */
  shrinkBy(n: number): void {
    this.dropWritten(n);
  }

  private dropWritten(n: number): void {
    let freed = 0;
    while (freed < n && this.head < this.items.length) {
      const b = this.items[this.head]!;
      if (b.lastOffset >= this.written) break;
      freed += this.dropHead();
    }
    this.compact();
  }

  /** Removes the first live batch; returns its size. */
  private dropHead(): number {
    const b = this.items[this.head]!;
    const len = b.buf.length;
    b.copy?.unref();
    this.items[this.head] = undefined;
    this.head++;
    this.bytes -= len;
    if (this.budget) {
      this.budget.usedBytes -= len;
      if (this.head === this.items.length) this.budget.forget(this);
    }
    return len;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 256 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Drops the cached batches that end below `offset` (the log cleaner replaced them on disk). */
  dropBelow(offset: number): void {
    while (this.head < this.items.length && this.items[this.head]!.lastOffset < offset) this.dropHead();
    this.compact();
  }

  /** First offset served from memory, or Infinity when empty. */
  firstOffset(): number {
    return this.head < this.items.length ? this.items[this.head]!.baseOffset : Infinity;
  }

  /**
   * Whole batches from the one containing offset, within maxBytes (the first one regardless if
   * minOneBatch). Pooled copies are held for `lease` until it is released; without a lease the
   * caller gets copies of its own, since nothing would tell the pool when it is done with them.
   */
  read(offset: number, maxBytes: number, minOneBatch: boolean, lease?: ReadLease): { chunks: Buffer[]; bytes: number } {
    const items = this.items;
    let lo = this.head;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (let i = lo; i < items.length; i++) {
      const len = items[i]!.buf.length;
      if (bytes + len > maxBytes && !(minOneBatch && chunks.length === 0)) break;
      const b = items[i]!;
      if (!b.copy) chunks.push(b.buf);
      else if (lease) {
        b.copy.holdFor(lease);
        chunks.push(b.buf);
      } else chunks.push(Buffer.from(b.buf));
      bytes += len;
    }
    if (this.budget && chunks.length > 0) this.budget.touch(this);
    return { chunks, bytes };
  }

  /** First cached batch at or after `fromOffset` whose maxTimestamp >= timestamp. */
  findTimestamp(fromOffset: number, timestamp: number): CachedBatch | null {
    for (let i = this.head; i < this.items.length; i++) {
      const b = this.items[i]!;
      if (b.lastOffset >= fromOffset && b.maxTimestamp >= timestamp) return b;
    }
    return null;
  }

  clear(): void {
    for (let i = this.head; i < this.items.length; i++) this.items[i]!.copy?.unref();
    if (this.budget) {
      this.budget.usedBytes -= this.bytes;
      this.budget.forget(this);
    }
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}
