import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { DescribeTopicPartitions } from '../../src/protocol/generated/index.js';
import { ZERO_UUID } from '../../src/protocol/primitives/index.js';
import { RawConn } from '../helpers/raw-conn.js';

describe('DescribeTopicPartitions', () => {
  let broker: RunningBroker;
  let conn: RawConn;
  const describeAll = (limit: number, cursor: { topicName: string; partitionIndex: number } | null, topics: string[] = []) =>
    conn.request(DescribeTopicPartitions, 0, { topics: topics.map((name) => ({ name })), responsePartitionLimit: limit, cursor });
  beforeAll(async () => {
    broker = await startBroker({ storage: 'memory', port: 0, config: { 'node.id': 2 } });
    await broker.services.topics.createTopic({ name: 'c', numPartitions: 2 });
    await broker.services.topics.createTopic({ name: 'a', numPartitions: 3 });
    await broker.services.topics.createTopic({ name: 'b', numPartitions: 1 });
    conn = await RawConn.open(broker.port);
  });
  afterAll(async () => {
    conn.close();
    await broker.close();
  });

  it('all topics, sorted, with ids, epochs, replicas, empty ELR lists', async () => {
    const res = await describeAll(2000, null);
    expect(res.nextCursor).toBeNull();
    expect(res.topics.map((t) => t.name)).toEqual(['a', 'b', 'c']);
    const a = res.topics[0];
    expect(a).toMatchObject({ errorCode: 0, isInternal: false, topicAuthorizedOperations: 3576, topicId: broker.services.topics.get('a')!.topicId });
    expect(a.partitions).toHaveLength(3);
    expect(a.partitions[1]).toEqual({
      errorCode: 0,
      partitionIndex: 1,
      leaderId: 2,
      leaderEpoch: 0,
      replicaNodes: [2],
      isrNodes: [2],
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      offlineReplicas: [],
    });
  });

  it('pages with the cursor until every partition was seen exactly once', async () => {
    for (const limit of [1, 2, 3, 4, 5, 6]) {
      const seen: string[] = [];
      let cursor: { topicName: string; partitionIndex: number } | null = null;
      for (let i = 0; i < 20; i++) {
        const res = await describeAll(limit, cursor);
        const n = res.topics.reduce((s, t) => s + t.partitions.length, 0);
        expect(n).toBeLessThanOrEqual(limit);
        for (const t of res.topics) for (const p of t.partitions) seen.push(`${t.name}-${p.partitionIndex}`);
        cursor = res.nextCursor;
        if (!cursor) break;
      }
      expect(cursor).toBeNull();
      expect(seen).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'c-0', 'c-1']);
    }
  });

  it('a cut inside a topic points at the next partition; a full page points at the next topic', async () => {
    expect((await describeAll(2, null)).nextCursor).toEqual({ topicName: 'a', partitionIndex: 2 });
    expect((await describeAll(3, null)).nextCursor).toEqual({ topicName: 'b', partitionIndex: 0 });
    const mid = await describeAll(2, { topicName: 'a', partitionIndex: 2 });
    expect(mid.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([
      ['a', [2]],
      ['b', [0]],
    ]);
    expect(mid.nextCursor).toEqual({ topicName: 'c', partitionIndex: 0 });
  });

  it('named topics: unknown and invalid names, cursor must be listed', async () => {
    const res = await describeAll(100, null, ['zz', 'b', 'bad name']);
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['b', 0],
      ['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['zz', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    expect(res.topics[2].topicId).toBe(ZERO_UUID);
    const bad = await describeAll(100, { topicName: 'c', partitionIndex: 0 }, ['a', 'b']);
    expect(bad.topics.map((t) => t.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    expect(broker.services.topics.get('zz')).toBeUndefined();
  });
});
