/**
 * The most recently appended batches of a partition, kept in memory so consumers at the tail
 * never touch the disk. Bounded by bytes, but a batch is never dropped before it is written
 * (everything below the cache's first offset is in the files).
 */
export interface CachedBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  buf: Buffer;
}

export class TailCache {
  private items: CachedBatch[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly limitBytes: number) {}

  push(b: CachedBatch): void {
    this.items.push(b);
    this.bytes += b.buf.length;
  }

  /** Drops the oldest written batches while over the limit. */
  evict(writtenOffset: number): void {
    while (this.bytes > this.limitBytes && this.head < this.items.length) {
      const b = this.items[this.head];
      if (b.lastOffset >= writtenOffset) break;
      this.bytes -= b.buf.length;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Drops the cached batches that end below `offset` (the log cleaner replaced them on disk). */
  dropBelow(offset: number): void {
    while (this.head < this.items.length && this.items[this.head].lastOffset < offset) {
      this.bytes -= this.items[this.head].buf.length;
      this.head++;
    }
  }

  /** First offset served from memory, or Infinity when empty. */
  firstOffset(): number {
    return this.head < this.items.length ? this.items[this.head].baseOffset : Infinity;
  }

  /** Whole batches from the one containing offset, within maxBytes (the first one regardless if minOneBatch). */
  read(offset: number, maxBytes: number, minOneBatch: boolean): { chunks: Buffer[]; bytes: number } {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (let i = lo; i < this.items.length; i++) {
      const len = this.items[i].buf.length;
      if (bytes + len > maxBytes && !(minOneBatch && chunks.length === 0)) break;
      chunks.push(this.items[i].buf);
      bytes += len;
    }
    return { chunks, bytes };
  }

  /** First cached batch at or after `fromOffset` whose maxTimestamp >= timestamp. */
  findTimestamp(fromOffset: number, timestamp: number): CachedBatch | null {
    for (let i = this.head; i < this.items.length; i++) {
      const b = this.items[i];
      if (b.lastOffset >= fromOffset && b.maxTimestamp >= timestamp) return b;
    }
    return null;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}
