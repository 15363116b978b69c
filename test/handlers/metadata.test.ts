import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Metadata } from '../../src/protocol/generated/index.js';
import { ZERO_UUID } from '../../src/protocol/primitives/index.js';
import { RawConn } from '../helpers/raw-conn.js';

const OMITTED = -2147483648;

describe('Metadata', () => {
  let broker: RunningBroker;
  let conn: RawConn;
  beforeAll(async () => {
    broker = await startBroker({ storage: 'memory', port: 0, config: { 'node.id': 3, 'num.partitions': 2 } });
    await broker.services.topics.createTopic({ name: 'alpha', numPartitions: 3 });
    await broker.services.topics.createTopic({ name: 'beta', numPartitions: 1 });
    conn = await RawConn.open(broker.port);
  });
  afterAll(async () => {
    conn.close();
    await broker.close();
  });

  it('v0: empty list means all topics; brokers without rack; partitions led by us', async () => {
    const res = await conn.request(Metadata, 0, { topics: [] });
    expect(res.brokers).toEqual([{ nodeId: 3, host: broker.host, port: broker.port, rack: null }]);
    expect(res.topics.map((t) => t.name)).toEqual(['alpha', 'beta']);
    const alpha = res.topics[0];
    expect(alpha.errorCode).toBe(0);
    expect(alpha.partitions.map((p) => p.partitionIndex)).toEqual([0, 1, 2]);
    for (const p of alpha.partitions) expect(p).toMatchObject({ errorCode: 0, leaderId: 3, replicaNodes: [3], isrNodes: [3] });
  });

  it('v1: null = all topics, [] = none; controller id and is_internal', async () => {
    const all = await conn.request(Metadata, 1, { topics: null });
    expect(all.controllerId).toBe(3);
    expect(all.topics.map((t) => t.name).sort()).toEqual(['alpha', 'beta']);
    expect(all.topics.every((t) => t.isInternal === false)).toBe(true);
    const none = await conn.request(Metadata, 1, { topics: [] });
    expect(none.topics).toEqual([]);
    expect(none.brokers).toHaveLength(1);
  });

  it('v4: unknown topic without auto-creation → UNKNOWN_TOPIC_OR_PARTITION; invalid name → INVALID_TOPIC_EXCEPTION', async () => {
    const res = await conn.request(Metadata, 4, { topics: [{ name: 'nope' }, { name: 'bad name!' }, { name: 'alpha' }], allowAutoTopicCreation: false });
    expect(res.clusterId).toBe(broker.clusterId);
    const by = Object.fromEntries(res.topics.map((t) => [t.name, t]));
    expect(by.nope).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [] });
    expect(by['bad name!']).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, partitions: [] });
    expect(by.alpha.partitions).toHaveLength(3);
    expect(broker.services.topics.get('nope')).toBeUndefined();
  });

  it('v4: auto-creates an unknown topic with broker defaults and answers it at once', async () => {
    const res = await conn.request(Metadata, 4, { topics: [{ name: 'auto-one' }], allowAutoTopicCreation: true });
    expect(res.topics[0]).toMatchObject({ name: 'auto-one', errorCode: 0 });
    expect(res.topics[0].partitions.map((p) => p.partitionIndex)).toEqual([0, 1]);
    expect(broker.services.storage.getPartition('auto-one', 1)).toBeDefined();
  });

  it('v0-v3 always allow auto-creation; concurrent requests create once', async () => {
    const [a, b] = await Promise.all([conn.request(Metadata, 2, { topics: [{ name: 'auto-two' }] }), conn.request(Metadata, 3, { topics: [{ name: 'auto-two' }] })]);
    expect(a.topics[0].errorCode).toBe(0);
    expect(b.topics[0].errorCode).toBe(0);
    expect(b.topics[0].partitions).toHaveLength(2);
  });

  it('does not auto-create internal topic names or when auto.create.topics.enable=false', async () => {
    const res = await conn.request(Metadata, 4, { topics: [{ name: '__consumer_offsets' }] });
    expect(res.topics[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, isInternal: true });
    const b2 = await startBroker({ storage: 'memory', port: 0, config: { 'auto.create.topics.enable': false } });
    const c2 = await RawConn.open(b2.port);
    try {
      const r2 = await c2.request(Metadata, 1, { topics: [{ name: 'x' }] });
      expect(r2.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    } finally {
      c2.close();
      await b2.close();
    }
  });

  it('v7+: leader epochs; v8: authorized operations only when asked', async () => {
    const plain = await conn.request(Metadata, 8, { topics: [{ name: 'alpha' }] });
    expect(plain.topics[0].partitions.every((p) => p.leaderEpoch === 0)).toBe(true);
    expect(plain.topics[0].topicAuthorizedOperations).toBe(OMITTED);
    expect(plain.clusterAuthorizedOperations).toBe(OMITTED);
    const asked = await conn.request(Metadata, 8, { topics: [{ name: 'alpha' }], includeTopicAuthorizedOperations: true, includeClusterAuthorizedOperations: true });
    expect(asked.topics[0].topicAuthorizedOperations).toBe(3576);
    expect(asked.clusterAuthorizedOperations).toBe(8096);
  });

  it('v9 (flexible): same answer as v8', async () => {
    const res = await conn.request(Metadata, 9, { topics: [{ name: 'beta' }], allowAutoTopicCreation: false });
    expect(res.topics[0]).toMatchObject({ name: 'beta', errorCode: 0, isInternal: false });
    expect(res.topics[0].partitions[0]).toMatchObject({ partitionIndex: 0, leaderId: 3, leaderEpoch: 0, offlineReplicas: [] });
  });

  it('v10/v12: stable non-zero topic ids; lookup by id; unknown id → UNKNOWN_TOPIC_ID', async () => {
    const r10 = await conn.request(Metadata, 10, { topics: [{ name: 'alpha' }] });
    const id = r10.topics[0].topicId;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(id).not.toBe(ZERO_UUID);
    const again = await conn.request(Metadata, 12, { topics: null });
    expect(again.topics.find((t) => t.name === 'alpha')!.topicId).toBe(id);
    const byId = await conn.request(Metadata, 12, { topics: [{ topicId: id, name: null }, { topicId: 'f'.repeat(32), name: null }] });
    expect(byId.topics[0]).toMatchObject({ name: 'alpha', topicId: id, errorCode: 0 });
    expect(byId.topics[0].partitions).toHaveLength(3);
    expect(byId.topics[1]).toMatchObject({ name: null, topicId: 'f'.repeat(32), errorCode: ErrorCode.UNKNOWN_TOPIC_ID });
  });

  it('answers at every version 0-12', async () => {
    for (let v = 0; v <= 12; v++) {
      const res = await conn.request(Metadata, v, { topics: [{ name: 'beta' }], allowAutoTopicCreation: false });
      expect(res.topics[0].name).toBe('beta');
      expect(res.topics[0].partitions).toHaveLength(1);
      if (v >= 2) expect(res.clusterId).toBe(broker.clusterId);
    }
  });
});

describe('Metadata topic ids across a restart', () => {
  it('keeps the topic id and leader epochs with file storage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brook-md-'));
    try {
      const cfg = { 'log.dirs': dir };
      const b1 = await startBroker({ port: 0, config: cfg });
      const c1 = await RawConn.open(b1.port);
      const r1 = await c1.request(Metadata, 12, { topics: [{ name: 'kept' }], allowAutoTopicCreation: true });
      c1.close();
      await b1.close();
      const b2 = await startBroker({ port: 0, config: cfg });
      const c2 = await RawConn.open(b2.port);
      const r2 = await c2.request(Metadata, 12, { topics: [{ name: 'kept' }], allowAutoTopicCreation: false });
      c2.close();
      await b2.close();
      expect(r2.topics[0].errorCode).toBe(0);
      expect(r2.topics[0].topicId).toBe(r1.topics[0].topicId);
      expect(r2.topics[0].partitions.map((p) => p.leaderEpoch)).toEqual(r1.topics[0].partitions.map((p) => p.leaderEpoch));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
