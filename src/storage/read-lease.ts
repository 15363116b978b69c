/**
 * Read buffers that go back to a pool once a response no longer needs them. A catch-up Fetch reads
 * about a megabyte per partition from the segment files; allocating those afresh for every request
 * leaves the garbage to V8, which frees it only at its next collection, so a consumer reading at
 * full speed kept tens of megabytes of dead buffers alive. The Fetch path instead borrows from a
 * ReadBufferPool under a ReadLease, and the connection releases the lease once the response's bytes
 * have been handed to the kernel (src/server/connection.ts), or once a closed connection can no
 * longer touch them. Releasing early would be a bug (a buffer read into for another response while
 * this one is still being written), so only the connection does it. A lease also holds the segment
 * files of the file spans made under it (src/storage/file/file-span.ts) open until then.
 */

import { BufferPool } from '../protocol/primitives/buffer-pool.js';

/** Buffers borrowed for one response. */
export class ReadLease {
  private returns: (() => void)[] = [];

  /**
   * The response can carry file spans (RecordSpan) that the connection streams, so large disk reads
   * need not be made at all. Only where nothing looks inside the records (Fetch v10 and later).
   */
  constructor(readonly spans = false) {}

  /** Records a buffer's (or an open file's) way back, run once by release(); called by the pool and by file spans. */
  hold(giveBack: () => void): void {
    this.returns.push(giveBack);
  }

  get held(): number {
    return this.returns.length;
  }

  /** Gives every buffer back. Idempotent. Nothing may read or write those buffers afterwards. */
  release(): void {
    const r = this.returns;
    this.returns = [];
    for (const f of r) f();
  }
}

const MIN_CLASS = 64 * 1024;

/**
 * Power-of-two buffers from 64 KiB to `maxClassBytes`, lent under a lease; keeps at most
 * `maxPooledBytes` idle. The free lists are a BufferPool of their own, so Fetch's reads do not take
 * the produce path's buffers or crowd them out.
 */
export class ReadBufferPool {
  private readonly pool: BufferPool;
  /** Buffers handed out and not yet given back (tests, metrics). */
  outstanding = 0;

  constructor(
    readonly maxPooledBytes = 16 * 1024 * 1024,
    readonly maxClassBytes = 4 * 1024 * 1024,
  ) {
    this.pool = new BufferPool(maxPooledBytes, maxClassBytes);
  }

  /** Idle bytes in the pool (tests, metrics). */
  get pooledBytes(): number {
    return this.pool.idleBytes;
  }
  /** Buffers lent in all, and how many of those had to be allocated (tests, metrics). */
  get lent(): number {
    return this.pool.taken;
  }
  get allocated(): number {
    return this.pool.allocated;
  }

  /**
   * A buffer of at least `length` bytes (its contents are stale), held by `lease`. Lengths above the
   * largest class get a fresh buffer that the GC reclaims as usual.
   */
  acquire(length: number, lease: ReadLease): Buffer {
    if (length > this.maxClassBytes) return Buffer.allocUnsafeSlow(length);
    let size = MIN_CLASS;
    while (size < length) size *= 2;
    const buf = this.pool.take(size);
    this.outstanding++;
    lease.hold(() => {
      this.outstanding--;
      this.pool.give(buf);
    });
    return buf;
  }
}
