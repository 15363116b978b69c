/**
 * End to end with kafkajs on both sides: 100k messages over 6 partitions per codec (none, gzip, snappy,
 * lz4, zstd), produced with acks=all and consumed by a kafkajs consumer group (Fetch v11 through
 * Brook's group coordinator), each partition in order, each message once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { KAFKAJS_CODECS, registerKafkajsCodecs } from '../helpers/kafkajs-codecs.js';

const { Kafka, logLevel } = kafkajs;
const MESSAGES = 100_000;
const PARTITIONS = 6;
const PER_SEND = 6_000;

let broker: RunningBroker;
let dir: string;

beforeAll(async () => {
  registerKafkajsCodecs();
  dir = await mkdtemp(join(tmpdir(), 'brook-kafkajs-consumer-'));
  broker = await startBroker({ storage: 'file', port: 0, config: { 'log.dirs': dir, 'log.level': 'silent', 'group.initial.rebalance.delay.ms': 0 } });
});
afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});


describe('kafkajs producer → Brook → kafkajs consumer group', () => {
  for (const [name, codec] of KAFKAJS_CODECS) {
    it(`${name}: 100k messages over 6 partitions, in order per partition, each once`, async () => {
      const topic = `kc-${name}`;
      expect((await broker.services.topics.createTopic({ name: topic, numPartitions: PARTITIONS })).errorCode).toBe(0);
      const kafka = new Kafka({ clientId: `kc-${name}`, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      for (let start = 0; start < MESSAGES; start += PER_SEND) {
        const messages = [];
        for (let i = start; i < Math.min(MESSAGES, start + PER_SEND); i++) {
          messages.push({ partition: i % PARTITIONS, value: `${i % PARTITIONS}:${Math.floor(i / PARTITIONS)}` });
        }
        await producer.send({ topic, acks: -1, compression: codec, messages });
      }
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: `g-${name}`, maxBytes: 8 << 20, maxBytesPerPartition: 2 << 20 });
      const next = new Array<number>(PARTITIONS).fill(0);
      let seen = 0;
      let failure: string | null = null;
      let finished!: () => void;
      const done = new Promise<void>((r) => (finished = r));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const [part, n] = m.value!.toString().split(':').map(Number);
            if (part !== batch.partition || n !== next[batch.partition] || Number(m.offset) !== n) {
              failure ??= `partition ${batch.partition}: expected ${next[batch.partition]}, got ${m.value} at ${m.offset}`;
            }
            next[batch.partition]!++;
            seen++;
          }
          if (seen >= MESSAGES || failure) finished();
        },
      });
      await done;
      await consumer.disconnect();
      expect(failure).toBeNull();
      expect(seen).toBe(MESSAGES);
      expect(next).toEqual(Array.from({ length: PARTITIONS }, (_, p) => Math.ceil((MESSAGES - p) / PARTITIONS)));
    }, 180_000);
  }
});
