/**
 * File engine beyond the contract: persistence, Kafka's file formats, crash recovery (torn and
 * corrupt tails, lost indexes, the clean-shutdown marker), group commit and injected I/O faults.
 */
import { existsSync, readFileSync, readdirSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_CONFIG, type AppendBatch, type LogConfig, type PartitionLog } from '../../src/storage/engine.js';
import { CLEAN_SHUTDOWN_MARKER, FileStorageEngine, LogFailedError } from '../../src/storage/index.js';
import { Clock, makeBatch, parseChunks, tempDir } from './helpers.js';
import { FaultFs } from './fault-fs.js';
import { SLOW_SYNC_WRITE_MS, SYNC_WRITE_BACKOFF_MS } from '../../src/storage/file/writer.js';

/** Both engines' logs expose their segment base offsets beyond the PartitionLog interface. */
const segmentsOf = (log: unknown): number[] => (log as { segmentBaseOffsets(): number[] }).segmentBaseOffsets();

const config = (over: Partial<LogConfig> = {}): LogConfig => ({ ...DEFAULT_LOG_CONFIG, indexIntervalBytes: 256, ...over });

let t: ReturnType<typeof tempDir>;
let clock: Clock;
let engines: FileStorageEngine[] = [];

function engine(fs?: FaultFs, syncWriteMaxBytes?: number): FileStorageEngine {
  const e = new FileStorageEngine({ dataDir: t.dir, fs, now: clock.now, tickMs: 0, defaultConfig: config(), syncWriteMaxBytes });
  engines.push(e);
  return e;
}

beforeEach(() => {
  t = tempDir();
  clock = new Clock();
  engines = [];
});
afterEach(async () => {
  for (const e of engines) await e.close().catch(() => undefined);
  t.cleanup();
});

async function fill(e: FileStorageEngine, n: number, cfg = config({ segmentBytes: 4000 })) {
  const log = await e.createPartition('t', 0, cfg);
  for (let i = 0; i < n; i++) await log.append([makeBatch({ count: 2, valueSize: 150, timestamp: 1000 + i })], 3, 'written');
  return log;
}

async function readAll(log: { read: (o: number, m: number, b: boolean) => Promise<{ chunks: Buffer[] }>; logStartOffset(): number; logEndOffset(): number }) {
  const out = [];
  let off = log.logStartOffset();
  while (off < log.logEndOffset()) {
    const batches = parseChunks((await log.read(off, 1 << 20, true)).chunks);
    if (batches.length === 0) throw new Error(`empty read at ${off}`);
    out.push(...batches);
    off = batches[batches.length - 1].lastOffset + 1;
  }
  return out;
}

/** The writes one append made: [on the JS thread (writevSync), through the pool (writev)]. */
async function appendWrites(fs: FaultFs, log: PartitionLog, batches: AppendBatch[], durability: 'written' | 'synced' = 'written') {
  const before = [fs.count('writevSync'), fs.count('writev')];
  await log.append(batches, 0, durability);
  return [fs.count('writevSync') - before[0], fs.count('writev') - before[1]];
}

const partDir = () => `${t.dir}/t-0`;
const segFiles = (ext: string) => readdirSync(partDir()).filter((f) => f.endsWith(ext)).sort();

describe('file engine', () => {
  it('keeps data, offsets and log start across close and open', async () => {
    const e1 = engine();
    await e1.open();
    const log = await fill(e1, 40);
    await log.deleteRecordsBefore(5);
    await e1.close();
    expect(existsSync(`${t.dir}/${CLEAN_SHUTDOWN_MARKER}`)).toBe(true);
    expect(readFileSync(`${t.dir}/log-start-offset-checkpoint`, 'utf8')).toBe('0\n1\nt 0 5\n');
    expect(readFileSync(`${t.dir}/recovery-point-offset-checkpoint`, 'utf8')).toBe('0\n1\nt 0 80\n');

    const e2 = engine();
    await e2.open();
    expect(existsSync(`${t.dir}/${CLEAN_SHUTDOWN_MARKER}`)).toBe(false);
    expect(e2.lastOpen.clean).toBe(true);
    expect(e2.lastOpen.stats.segmentsScanned).toBe(0);
    const again = e2.getPartition('t', 0)!;
    expect(again.logStartOffset()).toBe(5);
    expect(again.logEndOffset()).toBe(80);
    const batches = await readAll(again);
    expect(batches[0].baseOffset).toBe(4);
    expect(batches.every((b) => b.crcOk && b.epoch === 3)).toBe(true);
    expect(await again.maxTimestamp()).toEqual({ offset: 79, timestamp: 1040 });
    expect(await again.offsetForTimestamp(1020)).toEqual({ offset: 38, timestamp: 1020 });
    const r = await again.append([makeBatch()], 4, 'synced');
    expect(r.baseOffset).toBe(80);
  });

  it("writes Kafka's segment, index and time index formats", async () => {
    const e = engine();
    await e.open();
    const log = await fill(e, 40);
    await e.close();
    const logs = segFiles('.log');
    expect(logs[0]).toBe('00000000000000000000.log');
    expect(logs.length).toBe(segmentsOf(log).length);
    expect(logs.every((f) => /^\d{20}\.log$/.test(f))).toBe(true);
    const size = makeBatch({ count: 2, valueSize: 150 }).buf.length;
    const perSeg = Math.floor(4000 / size);
    expect(logs[1]).toBe(String(perSeg * 2).padStart(20, '0') + '.log');
    // .log: batches back to back with their offsets.
    const data = readFileSync(`${partDir()}/${logs[0]}`);
    expect(parseChunks([data]).map((b) => b.baseOffset)).toEqual(Array.from({ length: perSeg }, (_, i) => i * 2));
    // .index: (relative offset, position) pairs; each points at the batch whose last offset it names.
    const idx = readFileSync(`${partDir()}/${logs[0].replace('.log', '.index')}`);
    expect(idx.length % 8).toBe(0);
    expect(idx.length).toBeGreaterThan(0);
    for (let p = 0; p < idx.length; p += 8) {
      const rel = idx.readInt32BE(p);
      const pos = idx.readInt32BE(p + 4);
      const b = parseChunks([data.subarray(pos, pos + size)])[0];
      expect(b.lastOffset).toBe(rel);
    }
    // .timeindex: (timestamp, relative offset), the last one the segment's largest timestamp.
    const ti = readFileSync(`${partDir()}/${logs[0].replace('.log', '.timeindex')}`);
    expect(ti.length % 12).toBe(0);
    const last = ti.length - 12;
    expect(Number(ti.readBigInt64BE(last))).toBe(1000 + perSeg);
    expect(ti.readInt32BE(last + 8)).toBe(perSeg * 2 - 1);
  });

  it('truncates a torn last batch at open and accepts appends after', async () => {
    const e1 = engine();
    await e1.open();
    await fill(e1, 10, config());
    await e1.close();
    unlinkSync(`${t.dir}/${CLEAN_SHUTDOWN_MARKER}`);
    const file = `${partDir()}/00000000000000000000.log`;
    truncateSync(file, statSync(file).size - 7);
    writeFileSync(`${t.dir}/recovery-point-offset-checkpoint`, '0\n1\nt 0 0\n');

    const e2 = engine();
    await e2.open();
    expect(e2.lastOpen.clean).toBe(false);
    expect(e2.lastOpen.stats.bytesTruncated).toBeGreaterThan(0);
    const log = e2.getPartition('t', 0)!;
    expect(log.logEndOffset()).toBe(18);
    expect(await log.append([makeBatch()], 1, 'synced')).toMatchObject({ baseOffset: 18 });
    const all = await readAll(log);
    expect(all.length).toBe(10);
    expect(all.every((b) => b.crcOk)).toBe(true);
  });

  it('truncates a batch with a bad CRC and everything after it', async () => {
    const e1 = engine();
    await e1.open();
    await fill(e1, 30); // several segments
    await e1.close();
    unlinkSync(`${t.dir}/${CLEAN_SHUTDOWN_MARKER}`);
    const logs = segFiles('.log');
    // Corrupt the 2nd batch of the second-to-last segment; the last segment must go too.
    const victim = `${partDir()}/${logs[logs.length - 2]}`;
    const data = readFileSync(victim);
    const size = makeBatch({ count: 2, valueSize: 150 }).buf.length;
    data[size + 100] ^= 0xff;
    writeFileSync(victim, data);
    writeFileSync(`${t.dir}/recovery-point-offset-checkpoint`, '0\n1\nt 0 0\n');

    const e2 = engine();
    await e2.open();
    const log = e2.getPartition('t', 0)!;
    const base = Number(logs[logs.length - 2].slice(0, 20));
    expect(log.logEndOffset()).toBe(base + 2);
    expect(segFiles('.log')).toEqual(logs.slice(0, -1));
    const all = await readAll(log);
    expect(all.every((b) => b.crcOk)).toBe(true);
    expect(all[all.length - 1].lastOffset).toBe(base + 1);
    await log.append([makeBatch({ count: 3 })], 1, 'synced');
    expect(log.logEndOffset()).toBe(base + 5);
  });

  it('scans only segments past the recovery point; the clean marker skips the scan', async () => {
    const e1 = engine();
    await e1.open();
    const log = await fill(e1, 30);
    const segments = segmentsOf(log).length;
    expect(segments).toBeGreaterThan(2);
    await e1.close();
    unlinkSync(`${t.dir}/${CLEAN_SHUTDOWN_MARKER}`);
    const e2 = engine();
    await e2.open();
    expect(e2.lastOpen).toMatchObject({ clean: false, stats: { segmentsScanned: 1 } });
    await e2.close();
    rmCheckpoint();
    unlinkSync(`${t.dir}/${CLEAN_SHUTDOWN_MARKER}`);
    const e3 = engine();
    await e3.open();
    expect(e3.lastOpen).toMatchObject({ clean: false, stats: { segmentsScanned: segments, batchesScanned: 30 } });
    await e3.close();
    const e4 = engine();
    await e4.open();
    expect(e4.lastOpen).toMatchObject({ clean: true, stats: { segmentsScanned: 0, batchesScanned: 0 } });
  });

  it('rebuilds deleted or corrupt index files', async () => {
    const e1 = engine();
    await e1.open();
    await fill(e1, 30);
    await e1.close();
    const logs = segFiles('.log');
    const idx0 = `${partDir()}/${logs[0].replace('.log', '.index')}`;
    const original = readFileSync(idx0);
    unlinkSync(idx0);
    writeFileSync(`${partDir()}/${logs[1].replace('.log', '.timeindex')}`, Buffer.from('garbage'));
    writeFileSync(`${partDir()}/${logs[2].replace('.log', '.index')}`, Buffer.alloc(16, 0x7f));

    const e2 = engine();
    await e2.open();
    expect(e2.lastOpen.clean).toBe(true);
    expect(e2.lastOpen.stats.indexesRebuilt).toBe(3);
    expect(readFileSync(idx0)).toEqual(original);
    const log = e2.getPartition('t', 0)!;
    expect((await readAll(log)).length).toBe(30);
    expect(parseChunks((await log.read(21, 1000, true)).chunks)[0].baseOffset).toBe(20);
    expect(await log.offsetForTimestamp(1013)).toEqual({ offset: 24, timestamp: 1013 });
  });

  it('group commit: many concurrent synced appends share few fsyncs', async () => {
    const fs = new FaultFs();
    const e = engine(fs);
    await e.open();
    const log = await e.createPartition('t', 0, config());
    const before = fs.count('fdatasync');
    const n = 200;
    const results = await Promise.all(Array.from({ length: n }, () => log.append([makeBatch()], 0, 'synced')));
    expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: n }, (_, i) => i));
    const fsyncs = fs.count('fdatasync') - before;
    expect(fsyncs).toBeGreaterThan(0);
    expect(fsyncs).toBeLessThan(n / 10);
    expect(fs.count('writev') + fs.count('writevSync')).toBeLessThan(n / 10);
  });

  it('seals a rolled segment beside the write path: appends go on while its fsync runs, retention waits for the seal', async () => {
    // fdatasync of the first segment's file is held until released, as a long flush of a large
    // rolled segment would be.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding = 0;
    class HoldFs extends FaultFs {
      override async fdatasync(fd: number): Promise<void> {
        if (this.pathOf(fd)?.endsWith('00000000000000000000.log')) {
          holding++;
          await held;
        }
        return super.fdatasync(fd);
      }
    }
    const fs = new HoldFs();
    const e = engine(fs);
    await e.open();
    const log = await e.createPartition('t', 0, config({ segmentBytes: 4000 }));
    const watchdog = setTimeout(release, 3000); // if appends wait for the seal, they resume here and the test fails below
    try {
      let appended = 0;
      while (segmentsOf(log).length < 3) {
        await log.append([makeBatch({ count: 2, valueSize: 150 })], 0, 'written');
        appended += 2;
      }
      // The first roll's seal is stuck in fdatasync, yet appends to later segments were answered.
      expect(holding).toBe(1);
      expect(log.logEndOffset()).toBe(appended);
      // Retention waits for the seal rather than deleting a segment still being sealed.
      let deleted = false;
      const deleting = log.deleteRecordsBefore(appended).then(() => void (deleted = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(deleted).toBe(false);
      expect(segmentsOf(log)[0]).toBe(0);
      release();
      await deleting;
      expect(segmentsOf(log)).toHaveLength(1); // then both rolled segments go
    } finally {
      clearTimeout(watchdog);
      release();
    }
    await e.close();
    const e2 = engine();
    await e2.open();
    expect(e2.lastOpen.clean).toBe(true);
  });

  it('an fsync failure rejects the waiting appends and fails the log', async () => {
    const fs = new FaultFs();
    const e = engine(fs);
    await e.open();
    const log = await e.createPartition('t', 0, config());
    await log.append([makeBatch()], 0, 'synced');
    fs.failNext('fdatasync');
    const waiting = Array.from({ length: 5 }, () => log.append([makeBatch()], 0, 'synced'));
    const settled = await Promise.allSettled(waiting);
    for (const s of settled) expect(s.status === 'rejected' && s.reason instanceof LogFailedError).toBe(true);
    await expect(log.append([makeBatch()], 0, 'written')).rejects.toBeInstanceOf(LogFailedError);
    await e.close();
    expect(existsSync(`${t.dir}/${CLEAN_SHUTDOWN_MARKER}`)).toBe(false);
  });

  // Small runs are written on the JS thread (writevSync), larger ones by the thread pool (writev).
  for (const [path, syncMax] of [['writevSync', undefined], ['writev', 0]] as const) {
    it(`a write error rejects written appends; a torn write is cut off at the next open (${path})`, async () => {
      const fs = new FaultFs();
      const e1 = engine(fs, syncMax);
      await e1.open();
      const log = await e1.createPartition('t', 0, config());
      await log.append([makeBatch({ count: 2 })], 0, 'synced');
      fs.failNext(path, { tornBytes: 40, path: /\.log$/ });
      await expect(log.append([makeBatch({ count: 2 })], 0, 'written')).rejects.toBeInstanceOf(LogFailedError);
      await e1.close();
      const e2 = engine();
      await e2.open();
      expect(e2.lastOpen.clean).toBe(false);
      const again = e2.getPartition('t', 0)!;
      expect(again.logEndOffset()).toBe(2);
      expect(e2.lastOpen.stats.bytesTruncated).toBe(40);
    });
  }

  it('writes runs up to syncWriteMaxBytes on the JS thread and larger ones through the thread pool, all readable', async () => {
    const fs = new FaultFs();
    const e = engine(fs, 4096);
    await e.open();
    const log = await e.createPartition('t', 0, config());
    const small = makeBatch({ count: 3 });
    expect(small.buf.length).toBeLessThanOrEqual(4096);
    expect(await appendWrites(fs, log, [small])).toEqual([1, 0]);
    // One append of batches totalling more than the limit is one run, written by the pool.
    const big = Array.from({ length: 8 }, () => makeBatch({ count: 2, valueSize: 1000 }));
    expect(big.reduce((n, b) => n + b.buf.length, 0)).toBeGreaterThan(4096);
    expect(await appendWrites(fs, log, big, 'synced')).toEqual([0, 1]);
    expect(await appendWrites(fs, log, [makeBatch({ count: 1 })])).toEqual([1, 0]);
    await e.close();
    const e2 = engine();
    await e2.open();
    expect(e2.lastOpen.clean).toBe(true);
    const again = e2.getPartition('t', 0)!;
    expect(again.logEndOffset()).toBe(3 + 16 + 1);
    expect((await readAll(again)).length).toBe(1 + 8 + 1);
  });

  it('after a slow write on the JS thread, writes go through the thread pool for a while, then back', async () => {
    // The next write on the JS thread stalls as a throttled or failing disk would.
    class SlowOnce extends FaultFs {
      stall = false;
      override writevSync(fd: number, bufs: Buffer[], position: number): number {
        if (this.stall) {
          this.stall = false;
          const until = performance.now() + SLOW_SYNC_WRITE_MS + 10;
          while (performance.now() < until);
        }
        return super.writevSync(fd, bufs, position);
      }
    }
    const fs = new SlowOnce();
    const e = engine(fs);
    await e.open();
    const log = await e.createPartition('t', 0, config());
    const other = await e.createPartition('u', 0, config());
    const writes = (l: typeof log) => appendWrites(fs, l, [makeBatch()]);
    expect(await writes(log)).toEqual([1, 0]);
    fs.stall = true;
    expect(await writes(log)).toEqual([1, 0]);
    expect(e.syncWrites.slowWrites).toBe(1);
    // Every log of the engine (one disk) now writes through the pool.
    expect(await writes(log)).toEqual([0, 1]);
    expect(await writes(other)).toEqual([0, 1]);
    clock.advance(SYNC_WRITE_BACKOFF_MS - 1);
    expect(await writes(other)).toEqual([0, 1]);
    clock.advance(1);
    expect(await writes(log)).toEqual([1, 0]);
    expect(await writes(other)).toEqual([1, 0]);
    expect((await readAll(log)).length).toBe(4);
    expect((await readAll(other)).length).toBe(3);
  });

  it('honours flush.messages and flush.ms', async () => {
    const fs = new FaultFs();
    const e = engine(fs);
    await e.open();
    const log = await e.createPartition('t', 0, config({ flushIntervalMessages: 10, flushIntervalMs: 1000 }));
    const base = fs.count('fdatasync');
    for (let i = 0; i < 4; i++) await log.append([makeBatch({ count: 2 })], 0, 'written');
    await idle(e);
    expect(fs.count('fdatasync')).toBe(base);
    await log.append([makeBatch({ count: 2 })], 0, 'written');
    await idle(e);
    expect(fs.count('fdatasync')).toBe(base + 1);
    await log.append([makeBatch({ count: 1 })], 0, 'written');
    await e.tick(clock.now());
    expect(fs.count('fdatasync')).toBe(base + 1);
    clock.advance(1000);
    await e.tick(clock.now());
    expect(fs.count('fdatasync')).toBe(base + 2);
  });

  it('deletePartition removes the directory', async () => {
    const e = engine();
    await e.open();
    await fill(e, 3);
    await e.deletePartition('t', 0);
    expect(existsSync(partDir())).toBe(false);
    await e.close();
    const e2 = engine();
    await e2.open();
    expect(e2.partitions()).toEqual([]);
  });
});

function rmCheckpoint() {
  unlinkSync(`${t.dir}/recovery-point-offset-checkpoint`);
}

async function idle(e: FileStorageEngine) {
  for (const l of e.partitions()) await (l as unknown as { writer: { idle(): Promise<void> } }).writer.idle();
}
