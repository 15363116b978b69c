/**
 * Read buffers that go back to a pool once a response no longer needs them. A catch-up Fetch reads
 * about a megabyte per partition from the segment files; allocating those afresh for every request
 * leaves the garbage to V8, which frees it only at its next collection, so a consumer reading at
 * full speed kept tens of megabytes of dead buffers alive. The Fetch path instead borrows from a
 * ReadBufferPool under a ReadLease, and the connection releases the lease once the response's bytes
 * have been handed to the kernel (src/server/connection.ts). A lease that is never released (the
 * connection closed first) simply leaves its buffers to the GC: releasing is an optimisation, and
 * releasing early would be a bug, so only the socket write callback does it.
 */

/** Buffers borrowed for one response. */
export class ReadLease {
  private returns: (() => void)[] = [];

  /** Records a buffer's way back; called by the pool. */
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

/** Power-of-two size classes from 64 KiB to `maxClassBytes`; keeps at most `maxPooledBytes` idle. */
export class ReadBufferPool {
  private readonly free = new Map<number, Buffer[]>();
  /** Idle bytes in the pool (tests, metrics). */
  pooledBytes = 0;
  /** Buffers handed out and not yet given back (tests, metrics). */
  outstanding = 0;
  /** Buffers lent in all, and how many of those had to be allocated (tests, metrics). */
  lent = 0;
  allocated = 0;

  constructor(
    readonly maxPooledBytes = 16 * 1024 * 1024,
    readonly maxClassBytes = 4 * 1024 * 1024,
  ) {}

  /**
   * A buffer of at least `length` bytes (its contents are stale), held by `lease`. Lengths above the
   * largest class get a fresh buffer that the GC reclaims as usual.
   */
  acquire(length: number, lease: ReadLease): Buffer {
    if (length > this.maxClassBytes) return Buffer.allocUnsafeSlow(length);
    let size = MIN_CLASS;
    while (size < length) size *= 2;
    let buf = this.free.get(size)?.pop();
    if (buf) this.pooledBytes -= size;
    else {
      buf = Buffer.allocUnsafeSlow(size);
      this.allocated++;
    }
    this.outstanding++;
    this.lent++;
    let back = false;
    const pooled = buf;
    lease.hold(() => {
      if (back) return;
      back = true;
      this.outstanding--;
      if (this.pooledBytes + size > this.maxPooledBytes) return;
      let list = this.free.get(size);
      if (!list) this.free.set(size, (list = []));
      list.push(pooled);
      this.pooledBytes += size;
    });
    return buf;
  }
}
