import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { DeleteTopics } from '../../src/protocol/generated/index.js';
import { ZERO_UUID } from '../../src/protocol/primitives/index.js';
import { RawConn } from '../helpers/raw-conn.js';

describe('DeleteTopics', () => {
  let broker: RunningBroker;
  let admin: Admin;
  let conn: RawConn;
  const topics = () => broker.services.topics;
  beforeAll(async () => {
    broker = await startBroker({ storage: 'memory', port: 0 });
    admin = new Kafka({ clientId: 'dt-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await admin.connect();
    conn = await RawConn.open(broker.port);
  });
  afterAll(async () => {
    conn.close();
    await admin.disconnect();
    await broker.close();
  });

  it('kafkajs: deletes topics and their partition logs; unknown topic is an error', async () => {
    await admin.createTopics({ topics: [{ topic: 'gone', numPartitions: 3 }] });
    expect(broker.services.storage.getPartition('gone', 2)).toBeDefined();
    await admin.deleteTopics({ topics: ['gone'] });
    expect(topics().get('gone')).toBeUndefined();
    expect(broker.services.storage.getPartition('gone', 0)).toBeUndefined();
    expect(await admin.listTopics()).not.toContain('gone');
    await expect(admin.deleteTopics({ topics: ['never'] })).rejects.toMatchObject({ cause: { type: 'UNKNOWN_TOPIC_OR_PARTITION' } });
  });

  it('raw v0-v5 by name, duplicates, at every version', async () => {
    for (let v = 0; v <= 5; v++) {
      await topics().createTopic({ name: `d${v}` });
      const res = await conn.request(DeleteTopics, v, { topicNames: [`d${v}`, 'missing', 'twice', 'twice'], timeoutMs: 1000 });
      const by = Object.fromEntries(res.responses.map((r) => [r.name, r]));
      expect(res.responses).toHaveLength(3);
      expect(by[`d${v}`].errorCode).toBe(0);
      expect(by.missing.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      expect(by.twice.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      if (v >= 5) expect(by.twice.errorMessage).toBe('Duplicate topic name.');
      expect(topics().get(`d${v}`)).toBeUndefined();
    }
  });

  it('raw v6 by id and by name; unknown id; both or neither', async () => {
    const a = await topics().createTopic({ name: 'by-id', numPartitions: 2 });
    await topics().createTopic({ name: 'by-name' });
    const id = 'topic' in a ? a.topic.topicId : '';
    const res = await conn.request(DeleteTopics, 6, {
      topics: [
        { name: null, topicId: id },
        { name: 'by-name', topicId: ZERO_UUID },
        { name: null, topicId: 'a'.repeat(32) },
        { name: 'x', topicId: 'b'.repeat(32) },
        { name: null, topicId: ZERO_UUID },
      ],
    });
    expect(res.responses).toHaveLength(5);
    expect(res.responses.find((r) => r.topicId === id)).toMatchObject({ name: 'by-id', errorCode: 0, errorMessage: null });
    expect(res.responses.find((r) => r.name === 'by-name')).toMatchObject({ errorCode: 0 });
    expect(res.responses.find((r) => r.topicId === 'a'.repeat(32))).toMatchObject({ name: null, errorCode: ErrorCode.UNKNOWN_TOPIC_ID });
    expect(res.responses.find((r) => r.name === 'x')!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(res.responses.filter((r) => r.errorCode === ErrorCode.INVALID_REQUEST)).toHaveLength(2);
    expect(topics().get('by-id')).toBeUndefined();
    expect(broker.services.storage.getPartition('by-id', 1)).toBeUndefined();
  });

  it('refuses internal topics', async () => {
    await topics().createTopic({ name: '__consumer_offsets', numPartitions: 1 }, { internal: true });
    const res = await conn.request(DeleteTopics, 6, { topics: [{ name: '__consumer_offsets', topicId: ZERO_UUID }] });
    expect(res.responses[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(topics().get('__consumer_offsets')).toBeDefined();
  });

  it('delete.topic.enable=false: TOPIC_DELETION_DISABLED (v3+), INVALID_REQUEST below', async () => {
    const b = await startBroker({ storage: 'memory', port: 0, config: { 'delete.topic.enable': false } });
    const c = await RawConn.open(b.port);
    try {
      await b.services.topics.createTopic({ name: 'stay' });
      expect((await c.request(DeleteTopics, 4, { topicNames: ['stay'] })).responses[0].errorCode).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
      expect((await c.request(DeleteTopics, 1, { topicNames: ['stay'] })).responses[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(b.services.topics.get('stay')).toBeDefined();
    } finally {
      c.close();
      await b.close();
    }
  });
});
