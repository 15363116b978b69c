/**
 * Durability with the file engine and in-process brokers: a clean restart mid-way loses nothing
 * acknowledged; a torn or corrupted segment tail is repaired at start and produce works after; a
 * long-polling fetch returns as soon as data arrives; retention deletes old segments and moves
 * ListOffsets earliest.
 */
import { appendFile, mkdtemp, rm, stat, truncate, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { Fetch, ListOffsets } from '../../src/protocol/index.js';
import { buildRecordBatch } from '../../src/protocol/records/index.js';
import { CLEAN_SHUTDOWN_MARKER } from '../../src/storage/index.js';
import { EARLIEST_TIMESTAMP } from '../../src/storage/service/common.js';
import { KafkaTestClient, batchOf, consumeAll, produce, recordsOf } from '../helpers/kafka-client.js';

let dir: string;
const open: Array<{ b: RunningBroker; c: KafkaTestClient }> = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brook-durability-'));
});
afterEach(async () => {
  for (const { b, c } of open.splice(0)) {
    await c.close();
    await b.close();
  }
  await rm(dir, { recursive: true, force: true });
});

async function boot(config: Record<string, string | number> = {}) {
  const b = await startBroker({ storage: 'file', port: 0, config: { 'log.dirs': dir, 'log.level': 'silent', ...config } });
  const c = await KafkaTestClient.connect(b.port);
  open.push({ b, c });
  return { b, c };
}
async function shutdown(x: { b: RunningBroker; c: KafkaTestClient }) {
  open.splice(open.indexOf(x), 1);
  await x.c.close();
  await x.b.close();
}

it('a clean restart mid-way loses nothing acknowledged (acks=1 and acks=all)', async () => {
  const first = await boot();
  await first.b.services.topics.createTopic({ name: 'r', numPartitions: 2 });
  for (let i = 0; i < 50; i++) expect((await produce(first.c, 'r', i % 2, batchOf([`a${i}`, `b${i}`]), { acks: i % 3 === 0 ? 1 : -1 })).errorCode).toBe(0);
  await shutdown(first);
  const second = await boot();
  for (let p = 0; p < 2; p++) {
    const values = (await consumeAll(second.c, 'r', p, 0, 50)).map((r) => r.value!.toString());
    expect(values).toEqual(Array.from({ length: 25 }, (_, k) => [`a${2 * k + p}`, `b${2 * k + p}`]).flat());
  }
  expect((await produce(second.c, 'r', 0, batchOf(['more']))).baseOffset).toBe(50n);
});

it('repairs a truncated and a corrupted segment tail at start and accepts produce after', async () => {
  const first = await boot();
  await first.b.services.topics.createTopic({ name: 'torn', numPartitions: 2 });
  for (let i = 0; i < 10; i++) {
    await produce(first.c, 'torn', 0, batchOf([`t${i}`]));
    await produce(first.c, 'torn', 1, batchOf([`c${i}`]));
  }
  await shutdown(first);
  const seg = (p: number) => join(dir, `torn-${p}`, '00000000000000000000.log');
  // Partition 0: the last batch cut in half. Partition 1: garbage after the last batch and a flipped byte in it.
  const size0 = (await stat(seg(0))).size;
  const lastBatch = buildRecordBatch({ records: [{ value: 'c9' }] }).length; // same size as the stored one
  await truncate(seg(0), size0 - Math.floor(lastBatch / 2));
  await appendFile(seg(1), Buffer.alloc(100, 0xab));
  const { open: fopen } = await import('node:fs/promises');
  const fh = await fopen(seg(1), 'r+');
  const size1 = (await fh.stat()).size;
  await fh.write(Buffer.from([0xff]), 0, 1, size1 - 100 - 3);
  await fh.close();
  await unlink(join(dir, CLEAN_SHUTDOWN_MARKER)).catch(() => {});

  const second = await boot();
  const log0 = second.b.services.storage.getPartition('torn', 0)!;
  const log1 = second.b.services.storage.getPartition('torn', 1)!;
  expect(log0.logEndOffset()).toBe(9);
  expect(log1.logEndOffset()).toBe(9);
  expect((await consumeAll(second.c, 'torn', 0, 0, 9)).map((r) => r.value!.toString())).toEqual(Array.from({ length: 9 }, (_, i) => `t${i}`));
  expect((await consumeAll(second.c, 'torn', 1, 0, 9)).map((r) => r.value!.toString())).toEqual(Array.from({ length: 9 }, (_, i) => `c${i}`));
  for (const p of [0, 1]) {
    const r = await produce(second.c, 'torn', p, batchOf(['new']));
    expect(r).toMatchObject({ errorCode: 0, baseOffset: 9n });
  }
  expect((await consumeAll(second.c, 'torn', 1, 9, 10)).map((r) => r.value!.toString())).toEqual(['new']);
});

it('a long-polling fetch (max_wait 10 s) returns as soon as data arrives', async () => {
  const { b, c } = await boot();
  await b.services.topics.createTopic({ name: 'lp', numPartitions: 1 });
  const waiter = await KafkaTestClient.connect(b.port);
  const started = Date.now();
  const pending = waiter.request(Fetch, 11, {
    replicaId: -1, maxWaitMs: 10_000, minBytes: 1, maxBytes: 1 << 20, sessionEpoch: -1,
    topics: [{ topic: 'lp', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }] }],
  });
  await new Promise((r) => setTimeout(r, 200));
  await produce(c, 'lp', 0, batchOf(['hello']), { acks: -1 });
  const res = await pending;
  const elapsed = Date.now() - started;
  expect(elapsed).toBeLessThan(5_000);
  expect(recordsOf(res.responses[0]!.partitions[0]!.records).map((r) => r.value!.toString())).toEqual(['hello']);
  await waiter.close();
});

it('retention deletes old segments and ListOffsets earliest moves', async () => {
  const { b, c } = await boot({ 'log.retention.check.interval.ms': 100 });
  const r = await b.services.topics.createTopic({ name: 'ret', numPartitions: 1, configs: [['retention.ms', '60000'], ['segment.bytes', '1024']] });
  expect(r.errorCode).toBe(0);
  const old = Date.now() - 3_600_000;
  for (let i = 0; i < 20; i++) {
    await produce(c, 'ret', 0, buildRecordBatch({ records: [{ value: 'x'.repeat(300), timestamp: old + i }] }));
  }
  // A recent batch keeps the active segment (and everything after it) alive.
  await produce(c, 'ret', 0, batchOf(['fresh']));
  const earliest = async () => {
    const res = await c.request(ListOffsets, 5, { replicaId: -1, topics: [{ name: 'ret', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: BigInt(EARLIEST_TIMESTAMP) }] }] });
    return Number(res.topics[0]!.partitions[0]!.offset);
  };
  const deadline = Date.now() + 10_000;
  while ((await earliest()) === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
  const start = await earliest();
  expect(start).toBeGreaterThan(0);
  expect(start).toBeLessThanOrEqual(20);
  const rest = await consumeAll(c, 'ret', 0, start, 21);
  expect(rest.at(-1)!.value!.toString()).toBe('fresh');
  const gone = await c.request(Fetch, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, sessionEpoch: -1, topics: [{ topic: 'ret', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }] }] });
  expect(gone.responses[0]!.partitions[0]!.errorCode).toBe(1); // OFFSET_OUT_OF_RANGE
});
