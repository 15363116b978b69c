/**
 * End to end over real sockets: kafkajs produces 100k messages over 6 partitions with each codec
 * (none, gzip, snappy, lz4, zstd), acks=all, into a file-engine broker; the raw test client reads every
 * partition back and checks that each arrived once, in order. data-path-kafkajs-consumer.test.ts does the
 * same with a kafkajs consumer group.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { COMPRESSION_MASK, readBatchHeader } from '../../src/protocol/records/index.js';
import { KafkaTestClient, consumeAll, fetchOnce } from '../helpers/kafka-client.js';
import { KAFKAJS_CODECS, registerKafkajsCodecs } from '../helpers/kafkajs-codecs.js';

const { Kafka, logLevel } = kafkajs;
const MESSAGES = 100_000;
const PARTITIONS = 6;
const PER_SEND = 6_000;

let broker: RunningBroker;
let dir: string;

beforeAll(async () => {
  registerKafkajsCodecs();
  dir = await mkdtemp(join(tmpdir(), 'brook-data-path-'));
  broker = await startBroker({ storage: 'file', port: 0, config: { 'log.dirs': dir, 'log.level': 'silent' } });
});
afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});


describe('100k messages over 6 partitions, kafkajs producer, acks=all', () => {
  for (const [name, codec] of KAFKAJS_CODECS) {
    it(`${name}: every message consumed back once, in order per partition`, async () => {
      const topic = `dp-${name}`;
      expect((await broker.services.topics.createTopic({ name: topic, numPartitions: PARTITIONS })).errorCode).toBe(0);
      const kafka = new Kafka({ clientId: `dp-${name}`, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        for (let start = 0; start < MESSAGES; start += PER_SEND) {
          const messages = [];
          for (let i = start; i < Math.min(MESSAGES, start + PER_SEND); i++) {
            messages.push({ partition: i % PARTITIONS, key: `k${i}`, value: `${i % PARTITIONS}:${Math.floor(i / PARTITIONS)}:${'v'.repeat(i % 50)}` });
          }
          await producer.send({ topic, acks: -1, compression: codec, messages });
        }
      } finally {
        await producer.disconnect();
      }

      const client = await KafkaTestClient.connect(broker.port);
      try {
        let total = 0;
        for (let p = 0; p < PARTITIONS; p++) {
          const end = broker.services.storage.getPartition(topic, p)!.logEndOffset();
          const records = await consumeAll(client, topic, p, 0, end, { partitionMaxBytes: 1 << 20 });
          records.forEach((r, seq) => {
            const [part, n] = r.value!.toString().split(':');
            if (Number(part) !== p || Number(n) !== seq || Number(r.offset) !== seq) {
              throw new Error(`${topic}-${p}: record ${seq} is ${r.value} at offset ${r.offset}`);
            }
          });
          total += records.length;
        }
        expect(total).toBe(MESSAGES);
        // The batches were stored as the producer compressed them (no broker re-compression).
        const { partition } = await fetchOnce(client, topic, 0, 0);
        expect(readBatchHeader(partition!.records!, 0).attributes & COMPRESSION_MASK).toBe(codec);
      } finally {
        await client.close();
      }
    }, 180_000);
  }
});
