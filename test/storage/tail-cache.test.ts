/** Tail cache: per-partition limit, broker-wide budget (log.tail.cache.bytes) with LRU eviction. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_CONFIG } from '../../src/storage/engine.js';
import { BufferPool } from '../../src/protocol/primitives/buffer-pool.js';
import { TailCache, TailCacheBudget } from '../../src/storage/file/tail-cache.js';
import { ReadLease } from '../../src/storage/read-lease.js';
import { FileStorageEngine } from '../../src/storage/index.js';
import { Clock, makeBatch, parseChunks, tempDir } from './helpers.js';

const batch = (base: number, size = 100) => ({ baseOffset: base, lastOffset: base, maxTimestamp: base, buf: Buffer.alloc(size) });

describe('TailCache', () => {
  it('keeps unwritten batches over its limit and drops written ones oldest first', () => {
    const c = new TailCache(250);
    for (let i = 0; i < 5; i++) c.push(batch(i));
    c.evict(0); // nothing written yet
    expect(c.sizeBytes).toBe(500);
    expect(c.firstOffset()).toBe(0);
    c.evict(2); // offsets 0 and 1 are in the files
    expect(c.firstOffset()).toBe(2);
    expect(c.sizeBytes).toBe(300);
    c.evict(5);
    expect(c.firstOffset()).toBe(3);
    expect(c.read(3, 1000, true).chunks).toHaveLength(2);
  });

  it('does not keep dropped batches reachable', () => {
    const c = new TailCache(100);
    for (let i = 0; i < 2000; i++) {
      c.push(batch(i));
      c.evict(i + 1);
    }
    const items = (c as unknown as { items: unknown[]; head: number }).items;
    const live = items.filter((x) => x !== undefined);
    expect(live).toHaveLength(1);
    expect(items.length).toBeLessThan(600);
  });

  it('copies every batch, so the request frame it came from may be reused at once', () => {
    const c = new TailCache(1 << 20, null, new BufferPool());
    const request = Buffer.alloc(512 * 1024, 7); // eight partitions' batches in one frame
    const view = request.subarray(64 * 1024, 128 * 1024);
    c.push({ baseOffset: 0, lastOffset: 0, maxTimestamp: 0, buf: view });
    const small = Buffer.alloc(100, 9);
    c.push({ baseOffset: 1, lastOffset: 1, maxTimestamp: 0, buf: small });
    request.fill(1); // the connection reuses the frame
    small.fill(2);
    const lease = new ReadLease();
    const [cachedView, cachedSmall] = c.read(0, 1 << 20, true, lease).chunks;
    expect(cachedView.equals(Buffer.alloc(64 * 1024, 7))).toBe(true);
    expect(cachedView.buffer.byteLength).toBeLessThan(2 * view.length); // the 512 KiB request is not pinned
    expect(cachedSmall.equals(Buffer.alloc(100, 9))).toBe(true);
    expect(c.sizeBytes).toBe(64 * 1024 + 100);
  });

  it('reuses a pooled copy only once it is dropped and no response holds it', () => {
    const pool = new BufferPool();
    const c = new TailCache(64 * 1024, null, pool);
    c.push({ baseOffset: 0, lastOffset: 0, maxTimestamp: 0, buf: Buffer.alloc(40_000, 1) });
    const lease = new ReadLease();
    const [held] = c.read(0, 1 << 20, true, lease).chunks;
    const [copy] = c.read(0, 1 << 20, true).chunks; // no lease: a private copy
    expect(copy.buffer).not.toBe(held.buffer);
    c.push({ baseOffset: 1, lastOffset: 1, maxTimestamp: 0, buf: Buffer.alloc(40_000, 2) });
    c.evict(2); // over 64 KiB: offset 0 is dropped, but the lease still holds its buffer
    expect(c.firstOffset()).toBe(1);
    expect(pool.idleBytes).toBe(0);
    c.push({ baseOffset: 2, lastOffset: 2, maxTimestamp: 0, buf: Buffer.alloc(40_000, 3) });
    expect(held.equals(Buffer.alloc(40_000, 1))).toBe(true); // not overwritten by the new copy
    lease.release();
    expect(pool.idleBytes).toBe(40_960); // back in the pool (its 40 KiB class)
    const allocated = pool.allocated;
    c.evict(3);
    c.push({ baseOffset: 3, lastOffset: 3, maxTimestamp: 0, buf: Buffer.alloc(40_000, 4) });
    expect(pool.allocated).toBe(allocated); // the released buffer was used again
    expect(c.read(3, 1 << 20, true).chunks[0].equals(Buffer.alloc(40_000, 4))).toBe(true);
    c.clear();
    expect(pool.idleBytes).toBeGreaterThanOrEqual(2 * 40_960); // clear gives every copy back
  });

  it('the broker budget evicts the least recently used partition first', () => {
    const budget = new TailCacheBudget(1000);
    const a = new TailCache(1 << 20, budget);
    const b = new TailCache(1 << 20, budget);
    const c = new TailCache(1 << 20, budget);
    for (let i = 0; i < 4; i++) a.push(batch(i));
    for (let i = 0; i < 4; i++) b.push(batch(i));
    a.evict(4);
    b.evict(4);
    expect(budget.usedBytes).toBe(800);
    b.read(0, 1000, true); // b is now more recently used than a
    for (let i = 0; i < 4; i++) c.push(batch(i));
    c.evict(4);
    // 1200 > 1000: the least recently used (a) gives up 200 bytes; b and c are untouched.
    expect(budget.usedBytes).toBe(1000);
    expect(a.sizeBytes).toBe(200);
    expect(a.firstOffset()).toBe(2);
    expect(b.sizeBytes).toBe(400);
    expect(c.sizeBytes).toBe(400);
    // a empties before b is touched.
    for (let i = 4; i < 8; i++) c.push(batch(i));
    c.evict(8);
    expect(a.sizeBytes).toBe(0);
    expect(a.firstOffset()).toBe(Infinity);
    expect(b.sizeBytes).toBe(200);
    expect(budget.usedBytes).toBe(1000);
    expect(budget.caches).toBe(2);
    c.clear();
    expect(budget.usedBytes).toBe(200);
  });

  it('never drops unwritten batches for the budget', () => {
    const budget = new TailCacheBudget(100);
    const a = new TailCache(1 << 20, budget);
    const b = new TailCache(1 << 20, budget);
    a.push(batch(0));
    b.push(batch(0));
    b.evict(1);
    expect(a.sizeBytes).toBe(100); // a's batch is not written yet
    expect(b.sizeBytes).toBe(0);
    a.evict(1);
    expect(budget.usedBytes).toBe(100);
  });
});

describe('file engine with a broker-wide tail cache budget', () => {
  let t: ReturnType<typeof tempDir>;
  let e: FileStorageEngine;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(async () => {
    await e?.close().catch(() => undefined);
    t.cleanup();
  });

  it('stays within log.tail.cache.bytes over many partitions and reads evicted data from disk', async () => {
    const clock = new Clock();
    e = new FileStorageEngine({ dataDir: t.dir, now: clock.now, tickMs: 0, tailCacheBytes: 64 * 1024, tailCacheTotalBytes: 16 * 1024, defaultConfig: { ...DEFAULT_LOG_CONFIG, indexIntervalBytes: 256 } });
    await e.open();
    const logs = [];
    for (let p = 0; p < 8; p++) logs.push(await e.createPartition('t', p, { ...DEFAULT_LOG_CONFIG, indexIntervalBytes: 256 }));
    for (let i = 0; i < 20; i++) {
      for (const [p, log] of logs.entries()) await log.append([makeBatch({ count: 2, valueSize: 200, fill: 0x41 + 2 * p })], 0, 'written');
    }
    const budget = e.tailCacheBudget;
    expect(budget.usedBytes).toBeLessThanOrEqual(16 * 1024 + 512);
    expect(budget.usedBytes).toBeGreaterThan(0);
    for (const [p, log] of logs.entries()) {
      expect(log.logEndOffset()).toBe(40);
      const out = [];
      let off = 0;
      while (off < 40) {
        const batches = parseChunks((await log.read(off, 1 << 20, true)).chunks);
        expect(batches.length).toBeGreaterThan(0);
        out.push(...batches);
        off = batches[batches.length - 1].lastOffset + 1;
      }
      expect(out.map((b) => b.baseOffset)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));
      expect(out.every((b) => b.crcOk)).toBe(true);
      // The partition's own bytes came back (not another partition's cached batch).
      const chunk = (await log.read(38, 1 << 20, true)).chunks[0];
      expect(chunk.includes(Buffer.alloc(200, 0x41 + 2 * p))).toBe(true);
      expect(chunk.includes(Buffer.alloc(200, 0x42 + 2 * p))).toBe(true);
    }
  });
});
