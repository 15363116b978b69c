/**
 * End to end: a real broker (file storage, log cleaner every 100 ms), a topic created by kafkajs
 * admin with cleanup.policy=compact, keyed updates from a kafkajs producer; after the cleaner ran,
 * a consumer from the beginning sees each key's latest value, every record at its original offset.
 * Keyless records are refused on the compacted topic.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'compacted-e2e';
const KEYS = 50;
const MESSAGES = 3_000;

let broker: RunningBroker;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brook-compaction-e2e-'));
  broker = await startBroker({
    storage: 'file',
    port: 0,
    config: { 'log.dirs': dir, 'log.level': 'silent', 'log.cleaner.backoff.ms': 100, 'group.initial.rebalance.delay.ms': 0 },
  });
});
afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

it('a consumer from the beginning sees the latest value per key at the original offsets after cleaning', async () => {
  const kafka = new Kafka({ clientId: 'compaction-e2e', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      {
        topic: TOPIC,
        numPartitions: 1,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'segment.bytes', value: '4096' },
          { name: 'min.cleanable.dirty.ratio', value: '0.01' },
        ],
      },
    ],
  });
  await admin.disconnect();

  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  const latest = new Map<string, number>();
  for (let start = 0; start < MESSAGES; start += 100) {
    const messages = [];
    for (let seq = start; seq < start + 100; seq++) {
      messages.push({ key: `key-${seq % KEYS}`, value: String(seq) });
      latest.set(`key-${seq % KEYS}`, seq);
    }
    await producer.send({ topic: TOPIC, acks: -1, messages });
  }
  await expect(producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'no key' }] })).rejects.toThrow();
  await producer.disconnect();

  const log = broker.services.storage.getPartition(TOPIC, 0)!;
  const fullSize = log.sizeBytes();
  const deadline = Date.now() + 20_000;
  while (log.sizeBytes() > fullSize / 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(log.sizeBytes()).toBeLessThan(fullSize / 3);
  expect(log.logEndOffset()).toBe(MESSAGES);

  const consumer = kafka.consumer({ groupId: 'compaction-e2e' });
  const seen = new Map<string, number>();
  let count = 0;
  let wrongOffset: string | null = null;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const seq = Number(message.value!.toString());
      if (Number(message.offset) !== seq) wrongOffset ??= `value ${seq} at offset ${message.offset}`;
      seen.set(message.key!.toString(), seq);
      count++;
      if (Number(message.offset) === MESSAGES - 1) finished();
    },
  });
  await done;
  await consumer.disconnect();
  expect(wrongOffset).toBeNull();
  expect(seen).toEqual(latest);
  expect(count).toBeLessThan(MESSAGES / 3);
}, 60_000);
