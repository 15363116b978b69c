/**
 * The most recently appended batches of a partition, kept in memory so consumers at the tail
 * never touch the disk. Bounded by bytes per partition and, when a TailCacheBudget is given, by a
 * broker-wide total (log.tail.cache.bytes): over the total, the least recently used partitions
 * (append or read) give up their oldest batches first. A batch is never dropped before it is
 * written (everything below the cache's first offset is in the files), so the total may be
 * exceeded briefly by bytes still waiting for their write.
 *
 * Dropped batches are unreferenced at once (their slots are cleared), so their memory goes back
 * with the next GC. A batch that is a small view into a much larger buffer (a produce request
 * carrying many partitions, a 64 KiB socket read) is copied on push, so the cache never keeps
 * much more than its accounted bytes alive: without the copy, eight partitions' caches each
 * pinning whole multi-partition requests could hold several times the budget.
 */
export interface CachedBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  buf: Buffer;
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

/** True when keeping `buf` alive would keep more than twice its length (plus a page) alive. */
export function pinsMoreThanItUses(buf: Buffer): boolean {
  return buf.buffer.byteLength > 2 * buf.length + 4096;
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
  ) {}

  /** Bytes held (tests, metrics). */
  get sizeBytes(): number {
    return this.bytes;
  }

  push(b: CachedBatch): void {
    if (pinsMoreThanItUses(b.buf)) b = { ...b, buf: Buffer.from(b.buf) };
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
    const len = this.items[this.head]!.buf.length;
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

  /** Whole batches from the one containing offset, within maxBytes (the first one regardless if minOneBatch). */
  read(offset: number, maxBytes: number, minOneBatch: boolean): { chunks: Buffer[]; bytes: number } {
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
      chunks.push(items[i]!.buf);
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
    if (this.budget) {
      this.budget.usedBytes -= this.bytes;
      this.budget.forget(this);
    }
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}
