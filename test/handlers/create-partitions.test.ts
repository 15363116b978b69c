import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { CreatePartitions } from '../../src/protocol/generated/index.js';
import { RawConn } from '../helpers/raw-conn.js';

describe('CreatePartitions', () => {
  let broker: RunningBroker;
  let admin: Admin;
  let conn: RawConn;
  beforeAll(async () => {
    broker = await startBroker({ storage: 'memory', port: 0, config: { 'node.id': 1 } });
    admin = new Kafka({ clientId: 'cp-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await admin.connect();
    conn = await RawConn.open(broker.port);
  });
  afterAll(async () => {
    conn.close();
    await admin.disconnect();
    await broker.close();
  });

  it('kafkajs: grows a topic; new partitions have storage and show in metadata', async () => {
    await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 1 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 4 }] });
    const md = await admin.fetchTopicMetadata({ topics: ['grow'] });
    expect(md.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
    for (let p = 0; p < 4; p++) expect(broker.services.storage.getPartition('grow', p)).toBeDefined();
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 2 }] })).rejects.toMatchObject({ type: 'INVALID_PARTITIONS' });
  });

  it('raw: only increases, assignments validated, validate_only, duplicates, every version', async () => {
    await broker.services.topics.createTopic({ name: 'p', numPartitions: 2 });
    const res = await conn.request(CreatePartitions, 0, {
      topics: [
        { name: 'p', count: 2, assignments: null },
        { name: 'missing', count: 3, assignments: null },
        { name: 'dup', count: 3, assignments: null },
        { name: 'dup', count: 3, assignments: null },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    const by = Object.fromEntries(res.results.map((r) => [r.name, r]));
    expect(by.p).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 2 partition(s).' });
    expect(by.missing.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(by.dup).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });

    const fewer = await conn.request(CreatePartitions, 1, { topics: [{ name: 'p', count: 1, assignments: null }] });
    expect(fewer.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'The topic p currently has 2 partition(s); 1 would not be an increase.' });

    const badAssign = await conn.request(CreatePartitions, 2, { topics: [{ name: 'p', count: 4, assignments: [{ brokerIds: [1] }] }] });
    expect(badAssign.results[0].errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    const otherBroker = await conn.request(CreatePartitions, 2, { topics: [{ name: 'p', count: 3, assignments: [{ brokerIds: [2] }] }] });
    expect(otherBroker.results[0].errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);

    const dry = await conn.request(CreatePartitions, 3, { topics: [{ name: 'p', count: 5, assignments: null }], validateOnly: true });
    expect(dry.results[0]).toMatchObject({ errorCode: 0, errorMessage: null });
    expect(broker.services.topics.get('p')!.leaderEpochs).toHaveLength(2);

    const ok = await conn.request(CreatePartitions, 3, { topics: [{ name: 'p', count: 3, assignments: [{ brokerIds: [1] }] }] });
    expect(ok.results[0].errorCode).toBe(0);
    expect(broker.services.storage.getPartition('p', 2)).toBeDefined();
    for (let v = 0; v <= 3; v++) {
      const r = await conn.request(CreatePartitions, v, { topics: [{ name: 'p', count: 4 + v, assignments: null }] });
      expect(r.results[0].errorCode).toBe(0);
    }
    expect(broker.services.topics.get('p')!.leaderEpochs).toHaveLength(7);
  });
});
