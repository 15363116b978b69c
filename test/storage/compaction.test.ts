/**
 * Log compaction on the file engine: latest value per key, offsets unchanged, tombstones and the
 * delete horizon, transactions, reads and appends during a clean, crash-safe swap recovery.
 */
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEndTxnMarkerBatch } from '../../src/protocol/records/index.js';
import { DELETE_HORIZON_FLAG } from '../../src/protocol/records/batch-header.js';
import { cleanLog, hasKeylessRecords } from '../../src/storage/compaction/index.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../src/storage/engine.js';
import { FileStorageEngine } from '../../src/storage/index.js';
import type { FilePartitionLog } from '../../src/storage/file/partition-log.js';
import { loadBrokerConfig } from '../../src/metadata/broker-config.js';
import type { TopicInfo } from '../../src/metadata/topic-registry.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { keylessRecordError } from '../../src/storage/compaction/produce-check.js';
import { Clock, tempDir } from './helpers.js';
import { dumpLog, keyed, type DumpedRecord } from './compaction-helpers.js';

/** The last record of each key, in offset order. */
function latestPerKey(records: DumpedRecord[]): DumpedRecord[] {
  const last = new Map<string | null, DumpedRecord>();
  for (const r of records) last.set(r.key, r);
  return [...last.values()].sort((a, b) => a.offset - b.offset);
}

const compactConfig = (over: Partial<LogConfig> = {}): LogConfig => ({
  ...DEFAULT_LOG_CONFIG,
  indexIntervalBytes: 1024,
  segmentBytes: 64 * 1024,
  cleanupPolicy: ['compact'],
  minCleanableDirtyRatio: 0.01,
  deleteRetentionMs: 60_000,
  ...over,
});

describe.each([4 * 1024 * 1024, 0])('log compaction (file engine, tail cache %i)', (cache) => {
  let t: ReturnType<typeof tempDir>;
  let clock: Clock;
  let engine: FileStorageEngine;

  beforeEach(async () => {
    t = tempDir('brook-compaction-');
    clock = new Clock();
    engine = new FileStorageEngine({ dataDir: t.dir, tickMs: 0, now: clock.now, tailCacheBytes: cache });
    await engine.open();
  });
  afterEach(async () => {
    await engine.close();
    t.cleanup();
  });

  async function reopen(): Promise<void> {
    await engine.close();
    engine = new FileStorageEngine({ dataDir: t.dir, tickMs: 0, now: clock.now, tailCacheBytes: cache });
    await engine.open();
  }

  it('keeps one record per key outside the active segment, the latest value, offsets unchanged', async () => {
    const log = (await engine.createPartition('kv', 0, compactConfig())) as FilePartitionLog;
    const appended = new Map<number, string>();
    const latest = new Map<string, { offset: number; value: string }>();
    let seq = 0;
    for (let b = 0; b < 10_000; b++) {
      const recs = [];
      for (let i = 0; i < 10; i++, seq++) recs.push({ key: `k${(seq * 7919) % 1000}`, value: `v${seq}` });
      const r = await log.append([keyed(recs, { timestamp: 1_000 + b })], 0, 'none');
      recs.forEach((rec, i) => {
        appended.set(r.baseOffset + i, `${rec.key}=${rec.value}`);
        latest.set(rec.key, { offset: r.baseOffset + i, value: rec.value });
      });
    }
    await log.flush();
    const before = log.sizeBytes();
    expect(await engine.cleanLogs(clock.now())).toBe(1);
    expect(log.sizeBytes()).toBeLessThan(before / 10);
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    const dump = await dumpLog(log);
    expect(dump.batches.every((b) => b.crcOk)).toBe(true);
    const perKey = new Map<string, number>();
    const lastSeen = new Map<string, { offset: number; value: string }>();
    for (const r of dump.records) {
      expect(appended.get(r.offset)).toBe(`${r.key}=${r.value}`);
      if (r.offset < activeBase) perKey.set(r.key!, (perKey.get(r.key!) ?? 0) + 1);
      lastSeen.set(r.key!, { offset: r.offset, value: r.value! });
    }
    expect(Math.max(...perKey.values())).toBe(1);
    expect(lastSeen).toEqual(latest);
    // Fetching each kept record by its offset returns it.
    for (const { offset, value } of [...latest.values()].slice(0, 50)) {
      const d = await dumpLog(log, offset);
      expect(d.records[0]).toMatchObject({ offset, value });
    }
    // After a restart everything still reads back, and a second clean changes nothing.
    await reopen();
    const again = engine.getPartition('kv', 0)! as FilePartitionLog;
    again.updateConfig(compactConfig());
    expect((await dumpLog(again)).records).toEqual(dump.records);
    expect(readdirSync(`${t.dir}/kv-0`).filter((n) => /cleaned|swap/.test(n))).toEqual([]);
  });

  it('keeps tombstones until delete.retention.ms after the clean that set their horizon', async () => {
    const log = (await engine.createPartition('tomb', 0, compactConfig({ segmentBytes: 300 }))) as FilePartitionLog;
    await log.append([keyed([{ key: 'a', value: '1' }, { key: 'b', value: '1' }])], 0, 'written');
    await log.append([keyed([{ key: 'a', value: null }], { timestamp: 5_000 })], 0, 'written');
    for (let i = 0; i < 4; i++) await log.append([keyed([{ key: `c${i}`, value: 'x' }])], 0, 'written');
    await log.flush();
    const t0 = clock.now();
    await engine.cleanLogs(t0);
    let dump = await dumpLog(log);
    const tomb = dump.records.find((r) => r.key === 'a')!;
    expect(tomb).toMatchObject({ offset: 2, value: null, timestamp: 5_000 });
    const batch = dump.batches.find((b) => b.baseOffset === 2)!;
    expect(batch.attributes & DELETE_HORIZON_FLAG).toBe(DELETE_HORIZON_FLAG);
    expect(batch.baseTimestamp).toBe(t0 + 60_000);
    // Not before the horizon...
    await cleanLog(log, { fs: engine.fs, now: t0 + 59_999, firstDirtyOffset: null });
    expect((await dumpLog(log)).records.some((r) => r.key === 'a')).toBe(true);
    // ...but at it.
    expect(await engine.cleanLogs(t0 + 60_000)).toBe(1);
    dump = await dumpLog(log);
    expect(dump.records.some((r) => r.key === 'a')).toBe(false);
    expect(dump.records.map((r) => r.key)).toEqual(['b', 'c0', 'c1', 'c2', 'c3']);
    expect(dump.batches.every((b) => b.crcOk)).toBe(true);
  });

  it('removes aborted transactions, keeps markers while their data remains, keeps producer state', async () => {
    const log = (await engine.createPartition('txn', 0, compactConfig({ segmentBytes: 100 }))) as FilePartitionLog;
    const marker = (pid: number, commit: boolean) => {
      const buf = buildEndTxnMarkerBatch({ producerId: pid, producerEpoch: 0, commit, coordinatorEpoch: 0, timestamp: 1_000 });
      return { buf, offsetCount: 1, maxTimestamp: 1_000 };
    };
    await log.append([keyed([{ key: 'k', value: 'committed' }], { producerId: 7, transactional: true })], 0, 'written');
    await log.append([marker(7, true)], 0, 'written');
    await log.append([keyed([{ key: 'k', value: 'aborted' }], { producerId: 8, transactional: true })], 0, 'written');
    await log.append([marker(8, false)], 0, 'written');
    await log.append([keyed([{ key: 'z', value: 'open' }], { producerId: 9, transactional: true })], 0, 'written');
    await log.append([keyed([{ key: 'tail', value: 't' }])], 0, 'written');
    await log.flush();
    await engine.cleanLogs(clock.now());
    const dump = await dumpLog(log);
    expect(dump.batches.every((b) => b.crcOk)).toBe(true);
    const data = dump.records.filter((r) => !r.control);
    expect(data.filter((r) => r.key === 'k').map((r) => r.value)).toEqual(['committed']);
    expect(data.some((r) => r.key === 'z')).toBe(true); // open transaction: not cleaned
    // Both markers stay: the commit's data remains, the abort's data was seen in this round.
    expect(dump.records.filter((r) => r.control).map((r) => r.offset)).toEqual([1, 3]);
    // Producer 8's aborted batch is its last data batch: kept as an empty batch with its offsets.
    expect(dump.batches.find((b) => b.baseOffset === 2)).toMatchObject({ count: 0, lastOffset: 2 });
  });

  it('serves reads and appends while cleaning, and every batch read is whole and valid', async () => {
    const log = (await engine.createPartition('busy', 0, compactConfig())) as FilePartitionLog;
    for (let b = 0; b < 3_000; b++) {
      const recs = Array.from({ length: 10 }, (_, i) => ({ key: `k${(b * 10 + i) % 300}`, value: `v${b}-${i}` }));
      await log.append([keyed(recs)], 0, 'none');
    }
    await log.flush();
    let done = false;
    const cleaning = engine.cleanLogs(clock.now()).finally(() => (done = true));
    let reads = 0;
    while (!done) {
      const off = Math.floor(Math.random() * log.logEndOffset());
      const d = await dumpLog(log, Math.max(off, log.logStartOffset())).catch((e) => {
        throw new Error(`read at ${off}: ${e}`);
      });
      expect(d.batches.every((b) => b.crcOk)).toBe(true);
      await log.append([keyed([{ key: `new${reads}`, value: 'x' }])], 0, 'none');
      reads++;
      await new Promise((r) => setImmediate(r)); // reads from the tail cache alone never leave the microtask queue

    }
    expect(await cleaning).toBe(1);
    expect(reads).toBeGreaterThan(0);
    const d = await dumpLog(log);
    expect(d.records.filter((r) => r.key?.startsWith('new')).length).toBe(reads);
  });

  it('recovers a swap interrupted after its commit point, and rolls back one interrupted before', async () => {
    const log = (await engine.createPartition('swap', 0, compactConfig({ segmentBytes: 2_000 }))) as FilePartitionLog;
    for (let b = 0; b < 200; b++) await log.append([keyed([{ key: `k${b % 20}`, value: `v${b}` }])], 0, 'written');
    await log.flush();
    const expected = latestPerKey((await dumpLog(log)).records);
    const crashAt = async (step: string) => {
      await expect(
        cleanLog(log, { fs: engine.fs, now: clock.now(), firstDirtyOffset: null, onStep: (s) => { if (s === step) throw new Error(`crash at ${step}`); } }),
      ).rejects.toThrow(`crash at ${step}`);
    };
    await crashAt('cleaned');
    expect(readdirSync(`${t.dir}/swap-0`).filter((n) => /cleaned|swap/.test(n))).toEqual([]);
    await crashAt('committed');
    expect(readdirSync(`${t.dir}/swap-0`).some((n) => n.endsWith('.log.swap'))).toBe(true);
    await reopen();
    expect(readdirSync(`${t.dir}/swap-0`).filter((n) => /cleaned|swap/.test(n))).toEqual([]);
    const reopened = engine.getPartition('swap', 0)!;
    const dump = await dumpLog(reopened);
    expect(dump.batches.every((b) => b.crcOk)).toBe(true);
    const last = latestPerKey(dump.records);
    expect(last).toEqual(expected);
  });
});

describe('retention and cleanup.policy', () => {
  it('applies retention.ms / retention.bytes only when cleanup.policy contains delete', async () => {
    const t = tempDir('brook-compaction-');
    const engine = new FileStorageEngine({ dataDir: t.dir, tickMs: 0 });
    await engine.open();
    const cfg = (policy: ('delete' | 'compact')[]) => compactConfig({ segmentBytes: 100, retentionMs: 1, retentionBytes: 10, cleanupPolicy: policy });
    const compact = (await engine.createPartition('c', 0, cfg(['compact']))) as FilePartitionLog;
    const both = (await engine.createPartition('d', 0, cfg(['compact', 'delete']))) as FilePartitionLog;
    for (const log of [compact, both]) {
      for (let i = 0; i < 5; i++) await log.append([keyed([{ key: `k${i}`, value: 'v' }])], 0, 'written');
      await log.flush();
    }
    expect(await compact.applyRetention(10_000_000)).toBe(0);
    expect(await both.applyRetention(10_000_000)).toBeGreaterThan(0);
    await engine.close();
    t.cleanup();
  });
});

describe('hasKeylessRecords', () => {
  it('finds a null key in a data batch and ignores control batches', () => {
    expect(hasKeylessRecords(keyed([{ key: 'a', value: '1' }]).buf)).toBe(false);
    expect(hasKeylessRecords(keyed([{ key: 'a', value: '1' }, { key: null, value: '2' }]).buf)).toBe(true);
    const marker = buildEndTxnMarkerBatch({ producerId: 1, producerEpoch: 0, commit: true, coordinatorEpoch: 0, timestamp: 1 });
    expect(hasKeylessRecords(marker)).toBe(false);
    expect(hasKeylessRecords(Buffer.concat([keyed([{ key: 'a', value: '1' }]).buf, keyed([{ key: null, value: 'x' }], { compression: 1 }).buf]))).toBe(true);
  });

  it('is a Produce error only on compacted topics: INVALID_RECORD from v8, CORRUPT_MESSAGE before', () => {
    const broker = loadBrokerConfig({ env: {}, overrides: {} });
    const topic = (policy: string) => ({ configs: { 'cleanup.policy': policy } }) as unknown as TopicInfo;
    const keyless = [keyed([{ key: null, value: 'x' }]).buf];
    expect(keylessRecordError(broker, topic('compact'), keyless, 9)).toBe(ErrorCode.INVALID_RECORD);
    expect(keylessRecordError(broker, topic('compact,delete'), keyless, 7)).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(keylessRecordError(broker, topic('delete'), keyless, 9)).toBeNull();
    expect(keylessRecordError(broker, topic('compact'), [keyed([{ key: 'k', value: 'x' }]).buf], 9)).toBeNull();
  });
});
