/**
 * A broker config changed at run time (IncrementalAlterConfigs on the broker resource) reaches the
 * produce path at once: the per-topic policy cache must not keep the old message.max.bytes.
 */
import { Kafka, logLevel, ConfigResourceTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { KafkaTestClient, batchOf, produce } from '../helpers/kafka-client.js';

let broker: RunningBroker;
let client: KafkaTestClient;

beforeAll(async () => {
  broker = await startBroker({ storage: 'memory', port: 0, config: { 'log.level': 'silent', 'message.max.bytes': 100_000 } });
  client = await KafkaTestClient.connect(broker.port);
});

afterAll(async () => {
  await client?.close();
  await broker?.close();
});

describe('dynamic broker config on the produce path', () => {
  it('a lowered message.max.bytes rejects the next produce with MESSAGE_TOO_LARGE', async () => {
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'dyn', numPartitions: 1 }] });
      const payload = batchOf(['z'.repeat(20_000)]);
      expect((await produce(client, 'dyn', 0, payload)).errorCode).toBe(ErrorCode.NONE);

      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.nodeId), configEntries: [{ name: 'message.max.bytes', value: '10000' }] }],
      });
      expect((await produce(client, 'dyn', 0, batchOf(['z'.repeat(20_000)]))).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    } finally {
      await admin.disconnect();
    }
  });
});
