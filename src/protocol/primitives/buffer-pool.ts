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

/** On a miss, a buffer up to this many classes larger (under twice the size) is taken instead. */
const LARGER_CLASSES = 3;

export class BufferPool {
  /** Idle buffers by class, each a view of its whole memory. */
  private readonly free = new Map<number, Buffer[]>();
  /** Idle bytes (tests, metrics). */
  idleBytes = 0;
  /** Pooled buffers handed out, and how many of those had to be allocated (tests, metrics). */
  taken = 0;
  allocated = 0;

  /** Lengths over `maxLength` (at most 4 MiB) are not pooled. */
  constructor(
    readonly maxIdleBytes = 64 * 1024 * 1024,
    readonly maxLength = POOLED_MAX,
  ) {}

  /** True when take() of this length comes from this pool (and give() should return it). */
  pools(length: number): boolean {
    return length > POOLED_ABOVE && length <= this.maxLength;
  }

  /** A buffer of exactly `length` bytes with stale contents (the idle buffer itself when it is that long). */
  take(length: number): Buffer {
    if (!this.pools(length)) return Buffer.allocUnsafe(length);
    this.taken++;
    let size = classOf(length);
    for (let i = 0; i <= LARGER_CLASSES && size <= POOLED_MAX; i++, size = classOf(size + 1)) {
      const buf = this.free.get(size)?.pop();
      if (buf) {
        this.idleBytes -= size;
        return length === size ? buf : buf.subarray(0, length);
      }
    }
    this.allocated++;
    return Buffer.allocUnsafeSlow(classOf(length)).subarray(0, length);
  }

  /** Gives back a buffer take() returned; others (and any over the idle limit) are left to the GC. */
  give(buf: Buffer): void {
    if (!this.pools(buf.length) || buf.byteOffset !== 0) return;
    const size = buf.buffer.byteLength;
    if (size > POOLED_MAX || classOf(size) !== size || size < buf.length || this.idleBytes + size > this.maxIdleBytes) return;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buf.length === size ? buf : Buffer.from(buf.buffer, 0, size));
    this.idleBytes += size;
  }
}

/** The broker's pool (one per process, as Node's own Buffer pool is). */
export const bufferPool = new BufferPool();
