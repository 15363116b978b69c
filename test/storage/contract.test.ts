/**
 * The storage contract, run against every engine: memory, file (tail cache on), and file with
 * the tail cache off so every read goes through the index and the segment files.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_CONFIG, type LogConfig, type PartitionLog, type StorageEngine } from '../../src/storage/engine.js';
import { OffsetOutOfRangeError, createStorage } from '../../src/storage/index.js';
import { Clock, makeBatch, parseChunks, tempDir } from './helpers.js';

type Log = PartitionLog & { segmentBaseOffsets(): number[] };

interface Harness {
  engine: StorageEngine;
  cleanup: () => Promise<void>;
}

const engines: [string, (clock: Clock) => Harness][] = [
  ['memory', (clock) => ({ engine: createStorage({ kind: 'memory', now: clock.now }), cleanup: async () => {} })],
  ...[4 * 1024 * 1024, 0].map((cache): [string, (clock: Clock) => Harness] => [
    `file (tail cache ${cache})`,
    (clock) => {
      const t = tempDir();
      const engine = createStorage({ kind: 'file', dataDir: t.dir, now: clock.now, tailCacheBytes: cache, tickMs: 0 });
      return {
        engine,
        cleanup: async () => {
          await engine.close();
          t.cleanup();
        },
      };
    },
  ]),
];

const config = (over: Partial<LogConfig> = {}): LogConfig => ({ ...DEFAULT_LOG_CONFIG, indexIntervalBytes: 256, ...over });

describe.each(engines)('storage contract: %s', (_name, make) => {
  let h: Harness;
  let clock: Clock;
  let log: Log;

  beforeEach(async () => {
    clock = new Clock();
    h = make(clock);
    await h.engine.open();
    log = (await h.engine.createPartition('orders', 0, config())) as Log;
  });
  afterEach(async () => {
    await h.cleanup();
  });

  async function appendMany(n: number, opts: Parameters<typeof makeBatch>[0] = {}) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await log.append([makeBatch(opts)], 5, 'written'));
    return out;
  }

  it('round-trips batches with offsets and leader epoch rewritten', async () => {
    const batches = [makeBatch({ count: 3 }), makeBatch({ count: 1, valueSize: 500 }), makeBatch({ count: 7 })];
    const bytes = batches.map((b) => Buffer.from(b.buf));
    const r = await log.append(batches, 7, 'written');
    expect(r).toEqual({ baseOffset: 0, lastOffset: 10, logStartOffset: 0 });
    expect(log.logEndOffset()).toBe(11);
    const read = await log.read(0, 1 << 20, true);
    const parsed = parseChunks(read.chunks);
    expect(parsed.map((p) => [p.baseOffset, p.lastOffset, p.epoch, p.crcOk])).toEqual([
      [0, 2, 7, true],
      [3, 3, 7, true],
      [4, 10, 7, true],
    ]);
    const all = Buffer.concat(read.chunks);
    expect(read.bytes).toBe(all.length);
    // Only baseOffset and the epoch changed.
    let p = 0;
    for (const b of bytes) {
      expect(all.subarray(p + 16, p + b.length)).toEqual(b.subarray(16));
      p += b.length;
    }
    expect(log.sizeBytes()).toBe(all.length);
    const again = await h.engine.getPartition('orders', 0)!.read(4, 1 << 20, true);
    expect(parseChunks(again.chunks).map((b) => b.baseOffset)).toEqual([4]);
  });

  it('gives concurrent appends consecutive offsets in call order', async () => {
    const counts = Array.from({ length: 60 }, (_, i) => (i % 5) + 1);
    const results = await Promise.all(
      counts.map((c, i) => log.append([makeBatch({ count: c })], 1, i % 3 === 0 ? 'none' : i % 3 === 1 ? 'written' : 'synced')),
    );
    let next = 0;
    results.forEach((r, i) => {
      expect(r.baseOffset).toBe(next);
      expect(r.lastOffset).toBe(next + counts[i] - 1);
      next += counts[i];
    });
    const read = await log.read(0, 1 << 24, true);
    const parsed = parseChunks(read.chunks);
    const all = [...parsed];
    while (all[all.length - 1].lastOffset + 1 < next) {
      all.push(...parseChunks((await log.read(all[all.length - 1].lastOffset + 1, 1 << 24, true)).chunks));
    }
    expect(all.map((b) => b.baseOffset)).toEqual(results.map((r) => r.baseOffset));
  });

  it('reading from inside a batch returns the whole batch', async () => {
    await appendMany(3, { count: 10 });
    for (const off of [0, 5, 9, 13, 29]) {
      const parsed = parseChunks((await log.read(off, 1 << 20, true)).chunks);
      expect(parsed[0].baseOffset).toBe(Math.floor(off / 10) * 10);
    }
  });

  it('returns at least one whole batch over maxBytes (KIP-74), only whole batches otherwise', async () => {
    await appendMany(4, { count: 2, valueSize: 300 });
    const size = makeBatch({ count: 2, valueSize: 300 }).buf.length;
    const one = await log.read(0, 10, true);
    expect(parseChunks(one.chunks).map((b) => b.baseOffset)).toEqual([0]);
    expect(one.bytes).toBe(size);
    expect((await log.read(0, 10, false)).bytes).toBe(0);
    const two = await log.read(2, 2 * size + size - 1, true);
    expect(parseChunks(two.chunks).map((b) => b.baseOffset)).toEqual([2, 4]);
    expect(two.bytes).toBe(2 * size);
  });

  it('reads at the log end are empty; outside [start, end] is out of range', async () => {
    await appendMany(2);
    expect(await log.read(2, 1000, true)).toEqual({ chunks: [], bytes: 0 });
    await expect(log.read(3, 1000, true)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    await log.deleteRecordsBefore(1);
    await expect(log.read(0, 1000, true)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
  });

  it('finds offsets by timestamp and the max timestamp', async () => {
    expect(await log.maxTimestamp()).toBeNull();
    expect(await log.offsetForTimestamp(0)).toBeNull();
    for (const ts of [100, 200, 150, 400, 300]) await log.append([makeBatch({ count: 2, timestamp: ts, valueSize: 100 })], 0, 'written');
    // batch maxTimestamps: 101, 201, 151, 401, 301 at base offsets 0,2,4,6,8
    expect(await log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 101 });
    expect(await log.offsetForTimestamp(101)).toEqual({ offset: 0, timestamp: 101 });
    expect(await log.offsetForTimestamp(102)).toEqual({ offset: 2, timestamp: 201 });
    expect(await log.offsetForTimestamp(202)).toEqual({ offset: 6, timestamp: 401 });
    expect(await log.offsetForTimestamp(402)).toBeNull();
    expect(await log.maxTimestamp()).toEqual({ offset: 7, timestamp: 401 });
  });

  it('finds offsets by timestamp across segments', async () => {
    log.updateConfig(config({ segmentBytes: 1000 }));
    for (let i = 0; i < 20; i++) await log.append([makeBatch({ count: 1, timestamp: 1000 + i * 10, valueSize: 200 })], 0, 'written');
    expect(log.segmentBaseOffsets().length).toBeGreaterThan(3);
    for (const i of [0, 3, 7, 12, 19]) {
      expect(await log.offsetForTimestamp(1000 + i * 10 - 5)).toEqual({ offset: i, timestamp: 1000 + i * 10 });
    }
    expect(await log.maxTimestamp()).toEqual({ offset: 19, timestamp: 1190 });
  });

  it('deleteRecordsBefore moves the log start offset and drops whole segments below it', async () => {
    log.updateConfig(config({ segmentBytes: 1000 }));
    await appendMany(12, { valueSize: 200 });
    const before = log.segmentBaseOffsets();
    expect(before.length).toBeGreaterThan(3);
    await log.deleteRecordsBefore(before[2] + 1);
    expect(log.logStartOffset()).toBe(before[2] + 1);
    expect(log.segmentBaseOffsets()).toEqual(before.slice(2));
    const parsed = parseChunks((await log.read(before[2] + 1, 1 << 20, true)).chunks);
    expect(parsed[0].baseOffset).toBe(before[2] + 1);
    await log.deleteRecordsBefore(1); // never backwards
    expect(log.logStartOffset()).toBe(before[2] + 1);
    await expect(log.deleteRecordsBefore(13)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    const r = await log.append([makeBatch()], 0, 'written');
    expect(r.logStartOffset).toBe(before[2] + 1);
  });

  it('rolls segments by size', async () => {
    log.updateConfig(config({ segmentBytes: 1000 }));
    const size = makeBatch({ valueSize: 200 }).buf.length;
    await appendMany(10, { valueSize: 200 });
    const perSegment = Math.floor(1000 / size);
    const expected = [];
    for (let b = 0; b < 10; b += perSegment) expected.push(b);
    expect(log.segmentBaseOffsets()).toEqual(expected);
  });

  it('rolls segments by time since the first append', async () => {
    log.updateConfig(config({ segmentMs: 1000 }));
    await appendMany(2);
    clock.advance(999);
    await appendMany(1);
    expect(log.segmentBaseOffsets()).toEqual([0]);
    clock.advance(1);
    await appendMany(1);
    expect(log.segmentBaseOffsets()).toEqual([0, 3]);
    clock.advance(5000);
    await appendMany(1);
    expect(log.segmentBaseOffsets()).toEqual([0, 3, 4]);
  });

  it('applies retention by time, never to the active segment', async () => {
    log.updateConfig(config({ segmentBytes: 1000, retentionMs: 1000 }));
    for (let i = 0; i < 12; i++) await log.append([makeBatch({ timestamp: 5000 + i * 100, valueSize: 200 })], 0, 'written');
    const segs = log.segmentBaseOffsets();
    expect(segs.length).toBeGreaterThan(3);
    expect(await log.applyRetention(5000 + 1000)).toBe(0);
    // Segment 0 holds offsets 0..k-1 with largest timestamp 5000 + (k-1)*100.
    const k = segs[1];
    expect(await log.applyRetention(5000 + (k - 1) * 100 + 1001)).toBe(1);
    expect(log.logStartOffset()).toBe(k);
    expect(await log.applyRetention(1e12)).toBe(segs.length - 2);
    expect(log.segmentBaseOffsets()).toEqual([segs[segs.length - 1]]);
    expect(log.logStartOffset()).toBe(segs[segs.length - 1]);
    expect(log.logEndOffset()).toBe(12);
  });

  it('applies retention by size', async () => {
    const size = makeBatch({ valueSize: 200 }).buf.length;
    log.updateConfig(config({ segmentBytes: size * 2, retentionBytes: size * 5 }));
    await appendMany(10, { valueSize: 200 }); // 5 segments of 2 batches
    expect(log.segmentBaseOffsets()).toEqual([0, 2, 4, 6, 8]);
    expect(log.sizeBytes()).toBe(10 * size);
    // Delete the oldest while total - segment >= retention: 10→8→6 (stop: 6-2 < 5).
    expect(await log.applyRetention(clock.now())).toBe(2);
    expect(log.segmentBaseOffsets()).toEqual([4, 6, 8]);
    expect(log.sizeBytes()).toBe(6 * size);
    expect(log.logStartOffset()).toBe(4);
  });

  it('calls onAppend listeners until unsubscribed', async () => {
    let calls = 0;
    const off = log.onAppend(() => calls++);
    log.onAppend(() => {
      throw new Error('a listener failing does not fail the append');
    });
    await appendMany(2);
    expect(calls).toBe(2);
    off();
    await appendMany(1);
    expect(calls).toBe(2);
  });

  it('keeps partitions apart and deletes them', async () => {
    const other = await h.engine.createPartition('orders', 1, config());
    await other.append([makeBatch({ count: 4 })], 0, 'written');
    await appendMany(1);
    expect(log.logEndOffset()).toBe(1);
    expect(other.logEndOffset()).toBe(4);
    expect(h.engine.partitions().length).toBe(2);
    expect(await h.engine.createPartition('orders', 1, config())).toBe(other);
    await h.engine.deletePartition('orders', 1);
    expect(h.engine.getPartition('orders', 1)).toBeUndefined();
    const fresh = await h.engine.createPartition('orders', 1, config());
    expect(fresh.logEndOffset()).toBe(0);
  });
});
