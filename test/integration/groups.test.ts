/**
 * Consumer groups with kafkajs against an in-process broker: three consumers share a six-partition
 * topic; a consumer joining, leaving (disconnect) and being killed (child process, SIGKILL, no
 * LeaveGroup) each cause a rebalance after which every partition is owned again; every produced
 * message is consumed; a second group receives every message independently; committed offsets are
 * what the consumers reached.
 */
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { childConsumer, kafkaFor, produceValues, settled, startConsumer, waitFor, type TestConsumer } from './groups-helpers.js';

const TOPIC = 'groups-six';
const PARTITIONS = 6;
const GROUP = 'g-main';

let broker: RunningBroker;
let kafka: Kafka;
const consumers: TestConsumer[] = [];
const seen = new Set<string>();
const produced: string[] = [];

beforeAll(async () => {
  broker = await startBroker({
    storage: 'memory',
    config: {
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'log.level': 'silent',
      'group.initial.rebalance.delay.ms': 0,
      'group.min.session.timeout.ms': 1000,
      'offsets.topic.num.partitions': 3,
    },
  });
  kafka = kafkaFor(broker.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  await admin.disconnect();
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.consumer.disconnect().catch(() => {})));
  await broker?.close();
});

async function produceAndExpectAll(prefix: string, n = 120): Promise<void> {
  produced.push(...(await produceValues(kafka, TOPIC, prefix, n, PARTITIONS)));
  await waitFor(`every ${prefix} message consumed`, () => produced.every((v) => seen.has(v)));
}

describe('kafkajs consumer group', () => {
  it('three consumers share the six partitions and consume everything', async () => {
    for (let i = 0; i < 3; i++) consumers.push(await startConsumer(kafka, GROUP, TOPIC, seen));
    await waitFor('3 members owning 6 partitions', () => settled(kafka, GROUP, TOPIC, 3, PARTITIONS));
    await produceAndExpectAll('first');
    expect(consumers.every((c) => c.seen.size > 0)).toBe(true);
  });

  it('a consumer joining causes a rebalance; all partitions owned again', async () => {
    consumers.push(await startConsumer(kafka, GROUP, TOPIC, seen));
    await waitFor('4 members owning 6 partitions', () => settled(kafka, GROUP, TOPIC, 4, PARTITIONS));
    await produceAndExpectAll('after-join');
  });

  it('a consumer leaving (disconnect, LeaveGroup) causes a rebalance', async () => {
    await consumers.pop()!.consumer.disconnect();
    await waitFor('3 members owning 6 partitions', () => settled(kafka, GROUP, TOPIC, 3, PARTITIONS));
    await produceAndExpectAll('after-leave');
  });

  it('a killed consumer (no LeaveGroup) is expired by its session timeout and its partitions reassigned', async () => {
    const { child, joined } = childConsumer(broker.bootstrap, GROUP, TOPIC);
    try {
      await joined;
      await waitFor('4 members with the child', () => settled(kafka, GROUP, TOPIC, 4, PARTITIONS));
      child.kill('SIGKILL');
      const killedAt = Date.now();
      await waitFor('3 members owning 6 partitions after the kill', () => settled(kafka, GROUP, TOPIC, 3, PARTITIONS));
      expect(Date.now() - killedAt).toBeGreaterThan(1000); // it took the session timeout, not a LeaveGroup
    } finally {
      child.kill('SIGKILL');
    }
    await produceAndExpectAll('after-kill');
  });

  it('a second group independently receives every message', async () => {
    const other = await startConsumer(kafka, 'g-other', TOPIC);
    consumers.push(other);
    await waitFor('the second group sees everything', () => produced.every((v) => other.seen.has(v)));
  });

  it('committed offsets reach the end of every partition', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor('offsets committed to the log end', async () => {
        const [t] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
        return t.partitions.every((p) => Number(p.offset) === broker.services.storage.getPartition(TOPIC, p.partition)!.logEndOffset());
      });
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
      expect(groups).toEqual(['g-main', 'g-other']);
    } finally {
      await admin.disconnect();
    }
  });
});
