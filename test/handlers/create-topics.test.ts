import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { CreateTopics } from '../../src/protocol/generated/index.js';
import { ZERO_UUID } from '../../src/protocol/primitives/index.js';
import { RawConn } from '../helpers/raw-conn.js';

describe('CreateTopics', () => {
  let broker: RunningBroker;
  let admin: Admin;
  let conn: RawConn;
  beforeAll(async () => {
    broker = await startBroker({ storage: 'memory', port: 0, config: { 'num.partitions': 2, 'log.retention.ms': 3600000 } });
    const kafka = new Kafka({ clientId: 'ct-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    admin = kafka.admin();
    await admin.connect();
    conn = await RawConn.open(broker.port);
  });
  afterAll(async () => {
    conn.close();
    await admin.disconnect();
    await broker.close();
  });

  it('kafkajs: creates topics with configs, lists and describes them', async () => {
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: 'orders', numPartitions: 4, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '1000' }] },
        { topic: 'plain' },
      ],
    });
    expect(created).toBe(true);
    expect((await admin.listTopics()).sort()).toEqual(['orders', 'plain']);
    const md = await admin.fetchTopicMetadata({ topics: ['orders', 'plain'] });
    const orders = md.topics.find((t) => t.name === 'orders')!;
    expect(orders.partitions).toHaveLength(4);
    expect(md.topics.find((t) => t.name === 'plain')!.partitions).toHaveLength(2);
    expect(broker.services.topics.get('orders')!.configs).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '1000' });
    for (let p = 0; p < 4; p++) expect(broker.services.storage.getPartition('orders', p)).toBeDefined();
  });

  it('kafkajs: validateOnly creates nothing; existing topic → createTopics false', async () => {
    expect(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry', numPartitions: 3 }] })).toBe(true);
    expect(broker.services.topics.get('dry')).toBeUndefined();
    expect(await admin.createTopics({ topics: [{ topic: 'orders' }] })).toBe(false); // kafkajs ignores TOPIC_ALREADY_EXISTS
  });

  it('kafkajs: bad name, replication factor 3 and a bad config are errors', async () => {
    await expect(admin.createTopics({ topics: [{ topic: 'bad/name' }] })).rejects.toMatchObject({ errors: [{ type: 'INVALID_TOPIC_EXCEPTION' }] });
    await expect(admin.createTopics({ topics: [{ topic: 'rf3', replicationFactor: 3 }] })).rejects.toMatchObject({ errors: [{ type: 'INVALID_REPLICATION_FACTOR' }] });
    await expect(admin.createTopics({ topics: [{ topic: 'badcfg', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] })).rejects.toMatchObject({
      errors: [{ type: 'INVALID_CONFIG' }],
    });
    expect(broker.services.topics.get('rf3')).toBeUndefined();
  });

  it('raw v0-v4: error codes and messages per topic', async () => {
    await broker.services.topics.createTopic({ name: 'dot.ted' });
    const res = await conn.request(CreateTopics, 4, {
      topics: [
        { name: 'ok4', numPartitions: -1, replicationFactor: -1 },
        { name: 'dot_ted', numPartitions: 1, replicationFactor: 1 },
        { name: 'dot.ted', numPartitions: 1, replicationFactor: 1 },
        { name: 'x'.repeat(250), numPartitions: 1, replicationFactor: 1 },
        { name: '..', numPartitions: 1, replicationFactor: 1 },
        { name: 'zero', numPartitions: 0, replicationFactor: 1 },
        { name: 'rf', numPartitions: 1, replicationFactor: 3 },
        { name: 'dup', numPartitions: 1, replicationFactor: 1 },
        { name: 'dup', numPartitions: 2, replicationFactor: 1 },
        { name: '__cluster_metadata', numPartitions: 1, replicationFactor: 1 },
        { name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }, { partitionIndex: 1, brokerIds: [1] }] },
        { name: 'manual2', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [7] }] },
        { name: 'manual3', numPartitions: 2, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
      ],
      timeoutMs: 1000,
    });
    const by = Object.fromEntries(res.topics.map((t) => [t.name, t]));
    expect(res.topics).toHaveLength(12); // dup answered once
    expect(by.ok4).toMatchObject({ errorCode: 0, errorMessage: null });
    expect(by.dot_ted).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: "Topic 'dot_ted' collides with existing topic: dot.ted" });
    expect(by['dot.ted']).toMatchObject({ errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: "Topic 'dot.ted' already exists." });
    expect(by['x'.repeat(250)].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(by['..'].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(by.zero.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(by.rf).toMatchObject({
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage: 'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.',
    });
    expect(by.dup).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });
    expect(by.__cluster_metadata.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(by.manual.errorCode).toBe(0);
    expect(broker.services.topics.get('manual')!.leaderEpochs).toHaveLength(2);
    expect(by.manual2).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT });
    expect(by.manual3).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
    expect(broker.services.topics.get('ok4')!.leaderEpochs).toHaveLength(2);
    expect(broker.services.topics.get('dup')).toBeUndefined();
  });

  it('raw v5-v7: partitions, replication factor, configs with sources, topic id', async () => {
    const res = await conn.request(CreateTopics, 7, {
      topics: [
        { name: 'v7', numPartitions: 3, replicationFactor: 1, configs: [{ name: 'segment.bytes', value: '1048576' }] },
        { name: 'v7bad', numPartitions: 1, replicationFactor: 2 },
      ],
    });
    const [ok, bad] = res.topics;
    expect(ok).toMatchObject({ name: 'v7', errorCode: 0, numPartitions: 3, replicationFactor: 1 });
    expect(ok.topicId).toBe(broker.services.topics.get('v7')!.topicId);
    const cfg = Object.fromEntries(ok.configs!.map((c) => [c.name, c]));
    expect(cfg['segment.bytes']).toMatchObject({ value: '1048576', configSource: 1, readOnly: false, isSensitive: false });
    expect(cfg['retention.ms']).toMatchObject({ value: '3600000', configSource: 4 });
    expect(cfg['cleanup.policy']).toMatchObject({ value: 'delete', configSource: 5 });
    expect(ok.configs!.map((c) => c.name)).toEqual([...ok.configs!.map((c) => c.name)].sort());
    expect(bad).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, numPartitions: -1, replicationFactor: -1, configs: [], topicId: ZERO_UUID });

    const dry = await conn.request(CreateTopics, 7, { topics: [{ name: 'v7dry', numPartitions: -1, replicationFactor: -1 }], validateOnly: true });
    expect(dry.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 2, replicationFactor: 1, topicId: ZERO_UUID });
    expect(broker.services.topics.get('v7dry')).toBeUndefined();
  });

  it('answers at every version 0-7', async () => {
    for (let v = 0; v <= 7; v++) {
      const res = await conn.request(CreateTopics, v, { topics: [{ name: `every-${v}`, numPartitions: 1, replicationFactor: 1 }] });
      expect(res.topics[0]).toMatchObject({ name: `every-${v}`, errorCode: 0 });
    }
  });
});
