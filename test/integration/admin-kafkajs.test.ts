/**
 * The admin APIs through kafkajs against a real broker: describeConfigs (defaults and sources),
 * alterConfigs read back, Kafka's error for a bad value, deleteTopicRecords moving the start offset
 * (ListOffsets earliest and Fetch follow it), a retention.ms change deleting old segments of a live
 * topic, and DescribeLogDirs sizes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { DescribeLogDirs, Fetch } from '../../src/protocol/generated/index.js';
import { RawClient } from '../handlers/admin-misc-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('admin through kafkajs', () => {
  let dir: string;
  let broker: RunningBroker;
  let admin: Admin;
  let producer: Producer;
  let raw: RawClient;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'brook-admin-'));
    broker = await startBroker({ port: 0, config: { 'log.dirs': dir, 'log.retention.check.interval.ms': 100 } });
    const kafka = new Kafka({ clientId: 'admin-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    raw = await RawClient.connect(broker.host, broker.port);
  });
  afterAll(async () => {
    raw.close();
    await producer.disconnect();
    await admin.disconnect();
    await broker.close();
  });

  const produce = async (topic: string, n: number, size = 100) => {
    for (let i = 0; i < n; i++) await producer.send({ topic, acks: -1, messages: [{ value: Buffer.alloc(size, i % 256) }] });
  };

  it('describeConfigs: every topic config with its default and source', async () => {
    await admin.createTopics({ topics: [{ topic: 'cfg', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    const res = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg' }] });
    const entries = Object.fromEntries(res.resources[0].configEntries.map((e) => [e.configName, e]));
    expect(Object.keys(entries)).toHaveLength(33);
    expect(entries['retention.ms']).toMatchObject({ configValue: '3600000', isDefault: false, configSource: 1, readOnly: false, isSensitive: false });
    expect(entries['cleanup.policy']).toMatchObject({ configValue: 'delete', configSource: 5, configSynonyms: [{ configName: 'log.cleanup.policy', configValue: 'delete', configSource: 5 }] });
    expect(entries['max.message.bytes']).toMatchObject({ configValue: '1048588', configSource: 5 });
    expect(entries['segment.bytes']).toMatchObject({ configValue: '1073741824', configSource: 5 });
  });

  it('alterConfigs: replaces the overrides, read back; a bad value is INVALID_CONFIG', async () => {
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'max.message.bytes', value: '2000' }, { name: 'cleanup.policy', value: 'compact' }] }] });
    const res = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configNames: ['max.message.bytes', 'cleanup.policy', 'retention.ms'] }] });
    const got = Object.fromEntries(res.resources[0].configEntries.map((e) => [e.configName, [e.configValue, e.configSource]]));
    expect(got).toEqual({ 'max.message.bytes': ['2000', 1], 'cleanup.policy': ['compact', 1], 'retention.ms': ['604800000', 5] });
    // Produce reads the topic's effective max.message.bytes.
    await expect(producer.send({ topic: 'cfg', messages: [{ value: Buffer.alloc(5000) }] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    await expect(
      admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }),
    ).rejects.toMatchObject({ type: 'INVALID_CONFIG' }); // kafkajs shows its own text; the raw tests check Kafka's message
  });

  it('deleteTopicRecords moves the log start offset; ListOffsets earliest and Fetch follow', async () => {
    await admin.createTopics({ topics: [{ topic: 'dr', numPartitions: 1 }] });
    await produce('dr', 10);
    // kafkajs looks the leader up in its cached metadata: fetch the topic's offsets first, as a tool would.
    expect((await admin.fetchTopicOffsets('dr'))[0]).toMatchObject({ low: '0', high: '10' });
    await admin.deleteTopicRecords({ topic: 'dr', partitions: [{ partition: 0, offset: '4' }] });
    expect(await admin.fetchTopicOffsets('dr')).toEqual([expect.objectContaining({ partition: 0, low: '4', high: '10' })]);
    const fetch = await raw.send(Fetch, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'dr', partitions: [{ partition: 0, fetchOffset: 2n, partitionMaxBytes: 1 << 20, logStartOffset: -1n, currentLeaderEpoch: -1 }] }],
    });
    expect(fetch.responses[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    // offset -1 = the high watermark
    await admin.deleteTopicRecords({ topic: 'dr', partitions: [{ partition: 0, offset: '-1' }] });
    expect((await admin.fetchTopicOffsets('dr'))[0]).toMatchObject({ low: '10', high: '10' });
  });

  it('a retention.ms change on a live topic deletes its old segments', async () => {
    await admin.createTopics({ topics: [{ topic: 'ret', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1000' }] }] });
    await produce('ret', 30, 200);
    const before = broker.services.storage.getPartition('ret', 0)!;
    expect(before.logStartOffset()).toBe(0);
    await sleep(50);
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'ret', configEntries: [{ name: 'segment.bytes', value: '1000' }, { name: 'retention.ms', value: '10' }] }] });
    let low = '0';
    for (let i = 0; i < 50 && low === '0'; i++) {
      await sleep(100);
      low = (await admin.fetchTopicOffsets('ret'))[0].low;
    }
    expect(Number(low)).toBeGreaterThan(20);
    expect((await admin.fetchTopicOffsets('ret'))[0].high).toBe('30');
  });

  it('DescribeLogDirs: the log dir with each partition\'s size and the disk space', async () => {
    const res = await raw.send(DescribeLogDirs, 4, { topics: null });
    expect(res.errorCode).toBe(0);
    expect(res.results).toHaveLength(1);
    const d = res.results[0];
    expect(d).toMatchObject({ errorCode: 0, logDir: dir });
    expect(d.totalBytes).toBeGreaterThan(0n);
    expect(d.usableBytes).toBeGreaterThan(0n);
    const sizes = Object.fromEntries(d.topics.map((t) => [t.name, t.partitions]));
    expect(sizes['dr']).toEqual([{ partitionIndex: 0, partitionSize: BigInt(broker.services.storage.getPartition('dr', 0)!.sizeBytes()), offsetLag: 0n, isFutureKey: false }]);
    expect(Number(sizes['ret'][0].partitionSize)).toBeGreaterThan(0);
    const some = await raw.send(DescribeLogDirs, 1, { topics: [{ topic: 'dr', partitions: [0, 7] }, { topic: 'nope', partitions: [0] }] });
    expect(some.results[0].topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([['dr', [0]]]);
    expect((await raw.send(DescribeLogDirs, 4, { topics: [] })).results[0].topics).toEqual([]);
  });
});
