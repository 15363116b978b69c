/** BufferPool: size classes, reuse, and what it refuses to take back. */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/protocol/primitives/buffer-pool.js';

describe('BufferPool', () => {
  it('hands out exact lengths on class-sized memory and reuses what is given back', () => {
    const pool = new BufferPool();
    const a = pool.take(5000);
    expect(a.length).toBe(5000);
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(5120); // four classes per doubling: 4096 < 5000 <= 5120
    pool.give(a);
    expect(pool.idleBytes).toBe(5120);
    const b = pool.take(4500); // same class
    expect(b.buffer).toBe(a.buffer);
    expect(pool.allocated).toBe(1);
    expect(pool.taken).toBe(2);
  });

  it('takes a buffer up to three classes larger on a miss, and never a smaller one', () => {
    const pool = new BufferPool();
    const big = pool.take(100_000); // class 114688
    pool.give(big);
    const c = pool.take(70_000); // class 81920; 98304 and 114688 are the next two
    expect(c.buffer).toBe(big.buffer);
    expect(c.length).toBe(70_000);
    pool.give(c); // goes back under its memory's class
    const d = pool.take(120_000); // class 131072: the idle 114688 is too small
    expect(d.buffer).not.toBe(big.buffer);
    const e = pool.take(20_000); // 114688 is more than three classes above 20480
    expect(e.buffer).not.toBe(big.buffer);
  });

  it('leaves small, huge and foreign buffers to the GC, and keeps at most maxIdleBytes idle', () => {
    const pool = new BufferPool(200_000);
    const small = pool.take(100);
    const huge = pool.take(5 * 1024 * 1024);
    expect(new BufferPool().pools(100)).toBe(false);
    expect(new BufferPool().pools(5 * 1024 * 1024)).toBe(false);
    pool.give(small);
    pool.give(huge);
    pool.give(Buffer.alloc(70_000)); // not a class size
    pool.give(pool.take(81_920).subarray(1)); // not at the start of its memory
    expect(pool.idleBytes).toBe(0);
    const x = pool.take(100_000);
    const y = pool.take(100_000);
    pool.give(x);
    pool.give(y); // over the limit: dropped
    expect(pool.idleBytes).toBe(114_688);
  });
});
