/**
 * A rebalance cuts short the long-polling Fetches of the group's members, so clients that heartbeat
 * between fetches (kafkajs) rejoin at once instead of after max_wait_ms.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { DEFAULT_LOG_CONFIG } from '../../src/storage/engine.js';
import { createStorage } from '../../src/storage/index.js';
import { FetchInterrupts } from '../../src/storage/service/fetch-interrupts.js';
import { fetchPartitions } from '../../src/storage/service/fetch.js';

describe('FetchInterrupts', () => {
  it('wakes the waiters of one key once, and unsubscribed ones not at all', () => {
    const fi = new FetchInterrupts();
    const calls: string[] = [];
    const a = FetchInterrupts.key('app', '/127.0.0.1');
    fi.subscribe(a, () => calls.push('a1'));
    const off = fi.subscribe(a, () => calls.push('a2'));
    fi.subscribe(FetchInterrupts.key('other', '/127.0.0.1'), () => calls.push('b'));
    off();
    expect(fi.interrupt(a)).toBe(1);
    expect(fi.interrupt(a)).toBe(0);
    expect(calls).toEqual(['a1']);
    expect(fi.size).toBe(1);
  });

  it('marks a group\'s members while it prepares a rebalance, waking them as it starts', () => {
    const fi = new FetchInterrupts();
    const k = FetchInterrupts.key('app', '/127.0.0.1');
    let woke = 0;
    fi.subscribe(k, () => woke++);
    expect(fi.isRebalancing(k)).toBe(false);
    fi.startRebalance('g1', [k]);
    expect(woke).toBe(1);
    expect(fi.isRebalancing(k)).toBe(true);
    fi.startRebalance('g2', [k]);
    fi.endRebalance('g1');
    expect(fi.isRebalancing(k)).toBe(true); // g2 still rebalancing
    fi.endRebalance('g2');
    fi.endRebalance('g2');
    expect(fi.isRebalancing(k)).toBe(false);
  });

  it('ends a long poll early with what there is', async () => {
    const storage = createStorage({ kind: 'memory' });
    await storage.open();
    const log = await storage.createPartition('t', 0, DEFAULT_LOG_CONFIG);
    const fi = new FetchInterrupts();
    const key = FetchInterrupts.key('c', '/h');
    const started = performance.now();
    const pending = fetchPartitions([{ log, errorCode: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }], {
      maxWaitMs: 30_000,
      minBytes: 1,
      maxBytes: 1 << 20,
      signal: new AbortController().signal,
      onInterrupt: (fn) => fi.subscribe(key, fn),
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(fi.interrupt(key)).toBe(1);
    const [result] = await pending;
    expect(result).toMatchObject({ errorCode: 0, bytes: 0, highWatermark: 0 });
    expect(performance.now() - started).toBeLessThan(15_000); // not the 30 s max wait
    expect(fi.size).toBe(0);
    await storage.close();
  });
});

describe('kafkajs consumers and a rebalance during a long poll', () => {
  let broker: RunningBroker;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    broker = await startBroker({ storage: 'memory', port: 0, config: { 'log.level': 'silent', 'group.initial.rebalance.delay.ms': 0 } });
    expect((await broker.services.topics.createTopic({ name: 'quiet', numPartitions: 4 })).errorCode).toBe(0);
  });
  afterAll(async () => {
    // Stopping the broker first ends the consumers' 20 s long polls at once.
    await broker?.close();
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  });

  it('a second consumer joins without waiting for the first one’s 20 s fetch to run out', async () => {
    const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'interrupt-test', logLevel: process.env.DBG ? logLevel.INFO : logLevel.NOTHING });
    const joins: Array<{ who: string; at: number }> = [];
    const start = async (who: string) => {
      const c = kafka.consumer({ groupId: 'g-interrupt', maxWaitTimeInMs: 20_000, heartbeatInterval: 500, sessionTimeout: 30_000 });
      consumers.push(c);
      c.on(c.events.GROUP_JOIN, () => joins.push({ who, at: performance.now() }));
      await c.connect();
      await c.subscribe({ topic: 'quiet', fromBeginning: true });
      await c.run({ eachMessage: async () => undefined });
      return c;
    };
    await start('a');
    await expect.poll(() => joins.filter((j) => j.who === 'a').length, { timeout: 10_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 500)); // a is now in its long poll on the empty topic
    const t0 = performance.now();
    await start('b');
    await expect.poll(() => joins.filter((j) => j.who === 'b').length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => joins.filter((j) => j.who === 'a').length, { timeout: 30_000 }).toBe(2);
    const took = Math.max(...joins.map((j) => j.at)) - t0;
    expect(took).toBeLessThan(10_000); // without the interrupt: about the 20 s max wait
  }, 60_000);
});
