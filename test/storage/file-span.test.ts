/**
 * File spans: large Fetch reads from disk left in the file and streamed by the connection. The
 * span's bounds come from the offset index (whole batches without reading them); its descriptor
 * outlives a deletion of the segment until the lease is released; read_committed reads the span
 * in when the last stable offset cuts through it. Then the whole path over real sockets.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { DEFAULT_LOG_CONFIG, type LogConfig, type ReadResult, type RecordChunk, type RecordSpan } from '../../src/storage/engine.js';
import { FileStorageEngine } from '../../src/storage/index.js';
import { committedRead } from '../../src/storage/producer-state/fetch-view.js';
import { SPAN_MIN_BYTES } from '../../src/storage/file/read.js';
import { ReadLease } from '../../src/storage/read-lease.js';
import { fillPartitions, walkPartition } from '../helpers/disk-fetch.js';
import { KafkaTestClient } from '../helpers/kafka-client.js';
import { nativeSendfile } from '../../src/server/sendfile.js';
import { Clock, makeBatch, parseChunks, tempDir } from './helpers.js';

const config = (over: Partial<LogConfig> = {}): LogConfig => ({ ...DEFAULT_LOG_CONFIG, indexIntervalBytes: 4096, ...over });

let t: ReturnType<typeof tempDir>;
let engines: FileStorageEngine[] = [];

function engine(): FileStorageEngine {
  // No tail cache: every read goes to the segment files.
  const e = new FileStorageEngine({ dataDir: t.dir, now: new Clock().now, tickMs: 0, tailCacheBytes: 0, tailCacheTotalBytes: 0, defaultConfig: config() });
  engines.push(e);
  return e;
}

beforeEach(() => {
  t = tempDir('brook-span-');
  engines = [];
});
afterEach(async () => {
  for (const e of engines) await e.close().catch(() => undefined);
  t.cleanup();
});

/** Batches of 10 records × 1000 B (about 10 KiB each) with varying fill, `n` of them. */
async function filled(n: number, cfg = config()) {
  const e = engine();
  await e.open();
  const log = await e.createPartition('t', 0, cfg);
  for (let i = 0; i < n; i++) await log.append([makeBatch({ count: 10, valueSize: 1000, fill: 0x41 + (i % 20) })], 0, 'written');
  return { e, log };
}

const spansOf = (r: ReadResult<RecordChunk>): RecordSpan[] => r.chunks.filter((c): c is RecordSpan => !Buffer.isBuffer(c));

async function readIn(span: RecordSpan): Promise<Buffer> {
  const buf = Buffer.alloc(span.length);
  await span.read(buf, 0);
  return buf;
}

/** Descriptors of this process that point at a deleted segment file of the temp dir. */
function deletedLogFds(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(t.dir) && target.endsWith('.log (deleted)')) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

describe('file spans', () => {
  it('a large read under a spans lease is one span of whole batches, ending at an indexed batch start', async () => {
    const { log } = await filled(200);
    const lease = new ReadLease(true);
    const r = await log.read(15, 1 << 20, true, lease);
    const [span] = spansOf(r);
    expect(r.chunks.length).toBe(1);
    expect(span.length).toBe(r.bytes);
    expect(span.length).toBeGreaterThan(SPAN_MIN_BYTES);
    expect(span.length).toBeLessThanOrEqual(1 << 20);
    // Byte for byte what a plain read of the same range returns, starting at the batch holding 15.
    const bytes = await readIn(span);
    const batches = parseChunks([bytes]);
    expect(batches[0].baseOffset).toBe(10);
    expect(batches.every((b) => b.crcOk)).toBe(true);
    expect(span.lastOffsetBound).toBeGreaterThanOrEqual(batches.at(-1)!.lastOffset);
    const plain = await log.read(15, span.length, true);
    expect(Buffer.concat(plain.chunks).equals(bytes)).toBe(true);
    lease.release();
  });

  it('small reads, reads without a spans lease, and the first batch alone stay in memory', async () => {
    const { log } = await filled(100);
    expect(spansOf(await log.read(0, SPAN_MIN_BYTES - 1, true, new ReadLease(true))).length).toBe(0);
    expect(spansOf(await log.read(0, 1 << 20, true, new ReadLease(false))).length).toBe(0);
    expect((await log.read(0, 1 << 20, true)).chunks.every((c) => Buffer.isBuffer(c))).toBe(true);
  });

  it('keeps a deleted segment readable until the lease is released, then closes it', async () => {
    const { log } = await filled(300, config({ segmentBytes: 1 << 20 }));
    const lease = new ReadLease(true);
    const r = await log.read(0, 1 << 20, true, lease);
    const [span] = spansOf(r);
    expect(span).toBeDefined();
    const expected = Buffer.concat((await log.read(0, span.length, true)).chunks);
    await log.deleteRecordsBefore(log.logEndOffset() - 5); // drops every sealed segment, the spanned one too
    expect(log.logStartOffset()).toBeGreaterThan(span.lastOffsetBound);
    expect(deletedLogFds()).toBe(1);
    expect((await readIn(span)).equals(expected)).toBe(true);
    lease.release();
    lease.release();
    await new Promise((res) => setTimeout(res, 20));
    expect(deletedLogFds()).toBe(0);
  });

  it('read_committed reads a span in when the last stable offset falls inside it, and passes it on when not', async () => {
    const { log } = await filled(200);
    const lease = new ReadLease(true);
    const r = await log.read(0, 1 << 20, true, lease);
    const [span] = spansOf(r);
    const view = (lso: number) => ({ lastStableOffset: lso, abortedTransactions: () => [] });
    const whole = await committedRead(r.chunks, 0, view(log.logEndOffset()));
    expect(whole.chunks).toEqual([span]);
    expect(whole.bytes).toBe(span.length);
    const cut = await committedRead(r.chunks, 0, view(55));
    expect(cut.chunks.every((c) => Buffer.isBuffer(c))).toBe(true);
    const kept = parseChunks(cut.chunks as Buffer[]);
    expect(kept.map((b) => b.baseOffset)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(cut.bytes).toBe(kept.reduce((n, b) => n + b.size, 0));
    lease.release();
  });
});

describe('Fetch of large backlogs from disk, streamed', () => {
  let broker: RunningBroker;
  let dir: ReturnType<typeof tempDir>;
  const PARTITIONS = 3;
  const BATCHES = 60;
  const PER_BATCH = 50;
  const value = (p: number, i: number) => `p${p}-r${i}-`.padEnd(300 + (i % 7) * 100, String.fromCharCode(97 + ((p + i) % 26)));

  beforeEach(async () => {
    dir = tempDir('brook-span-broker-');
    broker = await startBroker({ port: 0, config: { 'log.dirs': dir.dir, 'log.level': 'silent', 'log.tail.cache.bytes': 0 } });
    expect((await broker.services.topics.createTopic({ name: 'big', numPartitions: PARTITIONS })).errorCode).toBe(0);
    await fillPartitions(broker.port, 'big', PARTITIONS, BATCHES, PER_BATCH, value);
  }, 60_000);

  afterEach(async () => {
    await broker?.close();
    dir.cleanup();
  });

  const walk = (client: KafkaTestClient, p: number, version: number, partitionMaxBytes: number) =>
    walkPartition(client, 'big', p, BATCHES * PER_BATCH, value, { version, partitionMaxBytes });

  it('serves every record intact to concurrent consumers, streaming from v10 on and reading in below it', async () => {
    const clients = await Promise.all([0, 1, 2].map(() => KafkaTestClient.connect(broker.port)));
    try {
      const done = await Promise.all(
        clients.flatMap((c, k) => Array.from({ length: PARTITIONS }, (_, p) => walk(c, (p + k) % PARTITIONS, k === 2 ? 4 : 12, SPAN_MIN_BYTES * 2))),
      );
      expect(done.every((n) => n === BATCHES * PER_BATCH)).toBe(true);
      const streamed = broker.server.connections().map((c) => c.streamedResponses);
      expect(streamed.length).toBe(3);
      expect(streamed.filter((n) => n > 0).length).toBe(2); // the v4 client got no spans
      // Where the native helper is built, the spans went by sendfile.
      const sentfile = broker.server.connections().map((c) => c.sentfileBytes);
      expect(sentfile.filter((n) => n > 0).length).toBe(nativeSendfile() ? 2 : 0);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    const pool = (broker.services.storage as FileStorageEngine).readPool;
    await expect.poll(() => pool.outstanding).toBe(0);
  }, 60_000);
});
