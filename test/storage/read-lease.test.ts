/** Pooled Fetch read buffers: the pool's rules, and Fetch over real sockets reusing them safely. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import type { FileStorageEngine } from '../../src/storage/index.js';
import { ReadBufferPool, ReadLease } from '../../src/storage/read-lease.js';
import { fillPartitions, walkPartition } from '../helpers/disk-fetch.js';
import { KafkaTestClient } from '../helpers/kafka-client.js';

describe('ReadBufferPool', () => {
  it('lends power-of-two buffers and reuses them only after the lease is released', () => {
    const pool = new ReadBufferPool(1 << 20, 256 * 1024);
    const a = new ReadLease();
    const b1 = pool.acquire(100_000, a);
    expect(b1.length).toBe(128 * 1024);
    const b2 = pool.acquire(100_000, a);
    expect(b2).not.toBe(b1); // b1 is still lent
    expect(pool.outstanding).toBe(2);
    a.release();
    a.release(); // idempotent
    expect(pool.outstanding).toBe(0);
    expect(pool.pooledBytes).toBe(256 * 1024);
    const b = new ReadLease();
    const again = pool.acquire(70_000, b);
    expect([b1, b2]).toContain(again);
    expect(pool.pooledBytes).toBe(128 * 1024);
    expect(pool.allocated).toBe(2);
    expect(pool.lent).toBe(3);
  });

  it('keeps no more than its idle limit and does not pool buffers above its largest class', () => {
    const pool = new ReadBufferPool(128 * 1024, 256 * 1024);
    const l = new ReadLease();
    pool.acquire(64 * 1024, l);
    pool.acquire(64 * 1024, l);
    pool.acquire(64 * 1024, l);
    const big = pool.acquire(300 * 1024, l);
    expect(big.length).toBe(300 * 1024);
    expect(l.held).toBe(3); // the big one is not held
    l.release();
    expect(pool.pooledBytes).toBe(128 * 1024);
  });
});

describe('Fetch from disk with pooled read buffers', () => {
  let broker: RunningBroker;
  let dir: string;
  const PARTITIONS = 3;
  const BATCHES = 30;
  const PER_BATCH = 40;
  const value = (p: number, i: number) => `p${p}-r${i}-`.padEnd(200, String.fromCharCode(97 + ((p + i) % 26)));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'brook-read-pool-'));
    // No tail cache: every fetch reads the segment files.
    broker = await startBroker({ port: 0, config: { 'log.dirs': dir, 'log.level': 'silent', 'log.tail.cache.bytes': 0 } });
    expect((await broker.services.topics.createTopic({ name: 'pool', numPartitions: PARTITIONS })).errorCode).toBe(0);
    await fillPartitions(broker.port, 'pool', PARTITIONS, BATCHES, PER_BATCH, value);
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Walks a partition from offset 0 in small fetches, checking every value. */
  const walk = (client: KafkaTestClient, p: number) => walkPartition(client, 'pool', p, BATCHES * PER_BATCH, value, { partitionMaxBytes: 20 * 1024 });

  it('serves every record intact while concurrent fetches reuse the same buffers, and gives them all back', async () => {
    const pool = (broker.services.storage as FileStorageEngine).readPool;
    const clients = await Promise.all([0, 1, 2].map(() => KafkaTestClient.connect(broker.port)));
    try {
      for (let round = 0; round < 2; round++) {
        const done = await Promise.all(clients.flatMap((c, k) => Array.from({ length: PARTITIONS }, (_, p) => walk(c, (p + k) % PARTITIONS))));
        expect(done.every((n) => n === BATCHES * PER_BATCH)).toBe(true);
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    expect(pool.lent).toBeGreaterThan(100);
    expect(pool.allocated).toBeLessThan(pool.lent / 4); // buffers were reused, many times
    await expect.poll(() => pool.outstanding).toBe(0);
    expect(pool.pooledBytes).toBeGreaterThan(0);
  }, 60_000);
});
