/**
 * Reused buffers for the produce path's bytes: request frames and the tail caches' copies of the
 * batches in them. V8 counts every new buffer's memory towards its next full collection, whether or
 * not the buffer is garbage soon after; at produce rates the broker allocated its ingress two or
 * three times over and ran a mark-compact every few dozen milliseconds. Buffers taken from a pool
 * and given back when their last reader is done allocate nothing in the steady state.
 *
 * Sizes are rounded up to a class (4 KiB steps to 64 KiB, 16 KiB steps to 1 MiB, 64 KiB steps to
 * 4 MiB), so a buffer wastes under a quarter of its size. Smaller lengths come from Node's own
 * pool and larger ones are allocated as usual; give() ignores both. Only the owner of a buffer
 * may give it back, once, and nothing may touch it afterwards.
 */

/** Lengths up to this come from Node's shared 8 KiB pool (Buffer.allocUnsafe). */
const POOLED_ABOVE = 4096;
const POOLED_MAX = 4 * 1024 * 1024;

/** The class (pooled buffer size) of a length in (POOLED_ABOVE, POOLED_MAX]. */
function classOf(n: number): number {
  if (n <= 65536) return (n + 4095) & ~4095;
  if (n <= 1048576) return (n + 16383) & ~16383;
  return (n + 65535) & ~65535;
}

export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Idle bytes (tests, metrics). */
  idleBytes = 0;
  /** Pooled buffers handed out, and how many of those had to be allocated (tests, metrics). */
  taken = 0;
  allocated = 0;

  constructor(readonly maxIdleBytes = 16 * 1024 * 1024) {}

  /** True when a buffer of this length comes from the pool (and should go back to it). */
  static pools(length: number): boolean {
    return length > POOLED_ABOVE && length <= POOLED_MAX;
  }

  /** A buffer of exactly `length` bytes with stale contents. */
  take(length: number): Buffer {
    if (!BufferPool.pools(length)) return Buffer.allocUnsafe(length);
    const size = classOf(length);
    let ab = this.free.get(size)?.pop();
    if (ab) this.idleBytes -= size;
    else {
      ab = Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
      this.allocated++;
    }
    this.taken++;
    return Buffer.from(ab, 0, length);
  }

  /** Gives back a buffer take() returned; others (and any over the idle limit) are left to the GC. */
  give(buf: Buffer): void {
    if (!BufferPool.pools(buf.length) || buf.byteOffset !== 0) return;
    const ab = buf.buffer as ArrayBuffer;
    const size = ab.byteLength;
    if (size !== classOf(buf.length) || this.idleBytes + size > this.maxIdleBytes) return;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(ab);
    this.idleBytes += size;
  }
}

/** The broker's pool (one per process, as Node's own Buffer pool is). */
export const bufferPool = new BufferPool();
