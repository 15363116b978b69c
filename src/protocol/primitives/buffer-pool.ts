/**
 * Reused buffers for the produce path's bytes: request frames and the tail caches' copies of the
 * batches in them. V8 counts every new buffer's memory towards its next full collection, whether or
 * not the buffer is garbage soon after; at produce rates the broker allocated its ingress two or
 * three times over and ran a mark-compact every few dozen milliseconds. Buffers taken from a pool
 * and given back when their last reader is done allocate nothing in the steady state.
 *
 * Sizes are rounded up to a class, four per doubling, so a buffer wastes under a quarter of its
 * size; when its class has no idle buffer, one of the next three classes will do. Smaller lengths
 * come from Node's own pool and larger ones are allocated as usual; give() ignores both. Only the
 * owner of a buffer may give it back, once, and nothing may touch it afterwards.
 *
 * Up to 64 MiB is kept idle: enough for the buffers in use at a busy moment (requests in flight on
 * every connection, the tail caches) to all come back. A smaller limit measured worse peak RSS, not
 * better: what does not fit is garbage, which V8 frees only after tens of megabytes of it.
 */

/** Lengths up to this come from Node's shared 8 KiB pool (Buffer.allocUnsafe). */
const POOLED_ABOVE = 4096;
const POOLED_MAX = 4 * 1024 * 1024;

/** The class (pooled buffer size) of a length in (POOLED_ABOVE, POOLED_MAX]: four per doubling. */
function classOf(n: number): number {
  const step = 2 ** (31 - Math.clz32(n - 1) - 2);
  return Math.ceil(n / step) * step;
}

/** A length that is a class of its own (the size of a buffer this pool made). */
function isClass(size: number): boolean {
  return size > POOLED_ABOVE && size <= POOLED_MAX && classOf(size) === size;
}

/** On a miss, a buffer up to this many classes larger (under twice the size) is taken instead. */
const LARGER_CLASSES = 3;

export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Idle bytes (tests, metrics). */
  idleBytes = 0;
  /** Pooled buffers handed out, and how many of those had to be allocated (tests, metrics). */
  taken = 0;
  allocated = 0;

  constructor(readonly maxIdleBytes = 64 * 1024 * 1024) {}

  /** True when a buffer of this length comes from the pool (and should go back to it). */
  static pools(length: number): boolean {
    return length > POOLED_ABOVE && length <= POOLED_MAX;
  }

  /** A buffer of exactly `length` bytes with stale contents. */
  take(length: number): Buffer {
    if (!BufferPool.pools(length)) return Buffer.allocUnsafe(length);
    this.taken++;
    let size = classOf(length);
    for (let i = 0; i <= LARGER_CLASSES && size <= POOLED_MAX; i++, size = classOf(size + 1)) {
      const ab = this.free.get(size)?.pop();
      if (ab) {
        this.idleBytes -= size;
        return Buffer.from(ab, 0, length);
      }
    }
    this.allocated++;
    return Buffer.from(Buffer.allocUnsafeSlow(classOf(length)).buffer, 0, length);
  }

  /** Gives back a buffer take() returned; others (and any over the idle limit) are left to the GC. */
  give(buf: Buffer): void {
    if (!BufferPool.pools(buf.length) || buf.byteOffset !== 0) return;
    const ab = buf.buffer as ArrayBuffer;
    const size = ab.byteLength;
    if (!isClass(size) || size < buf.length || this.idleBytes + size > this.maxIdleBytes) return;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(ab);
    this.idleBytes += size;
  }
}

/** The broker's pool (one per process, as Node's own Buffer pool is). */
export const bufferPool = new BufferPool();
