/**
 * The single-node admin APIs over real sockets, checked against what Apache Kafka 4.3.1 answered to
 * the same requests: DeleteRecords edge cases, AlterReplicaLogDirs, ElectLeaders, partition
 * reassignments, client quotas (stored, filtered, persisted), ACLs and SCRAM without an authorizer.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import * as P from '../../src/protocol/generated/index.js';
import { RawClient } from './admin-misc-client.js';

describe('admin misc', () => {
  let dir: string;
  let broker: RunningBroker;
  let c: RawClient;
  const start = async () => {
    broker = await startBroker({ port: 0, config: { 'log.dirs': dir } });
    c = await RawClient.connect(broker.host, broker.port);
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'brook-admin-misc-'));
    await start();
    await broker.services.topics.createTopic({ name: 't', numPartitions: 1 });
  });
  afterAll(async () => {
    c.close();
    await broker.close();
  });

  it('DeleteRecords: -1 on an empty log, beyond the high watermark, unknown partitions, internal topics', async () => {
    const r = await c.send(P.DeleteRecords, 2, {
      timeoutMs: 5000,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, offset: -1n }, { partitionIndex: 5, offset: 0n }] },
        { name: 'nope', partitions: [{ partitionIndex: 0, offset: 0n }] },
      ],
    });
    expect(r.topics).toEqual([
      { name: 't', partitions: [{ partitionIndex: 0, lowWatermark: 0n, errorCode: 0 }, { partitionIndex: 5, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      { name: 'nope', partitions: [{ partitionIndex: 0, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
    ]);
    for (const offset of [5n, -2n]) {
      const e = await c.send(P.DeleteRecords, 0, { timeoutMs: 5000, topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset }] }] });
      expect(e.topics[0].partitions[0]).toEqual({ partitionIndex: 0, lowWatermark: -1n, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
    }
    await broker.services.topics.createTopic({ name: '__consumer_offsets', numPartitions: 1 }, { internal: true }).catch(() => undefined);
    if (broker.services.topics.get('__consumer_offsets')) {
      const i = await c.send(P.DeleteRecords, 2, { timeoutMs: 5000, topics: [{ name: '__consumer_offsets', partitions: [{ partitionIndex: 0, offset: 0n }] }] });
      expect(i.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, lowWatermark: -1n });
    }
  });

  it('AlterReplicaLogDirs: the one log dir succeeds, another path is LOG_DIR_NOT_FOUND', async () => {
    const ok = await c.send(P.AlterReplicaLogDirs, 2, { dirs: [{ path: dir, topics: [{ name: 't', partitions: [0, 9] }, { name: 'nope', partitions: [0] }] }] });
    expect(ok.results).toEqual([
      { topicName: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      { topicName: 'nope', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
    ]);
    const bad = await c.send(P.AlterReplicaLogDirs, 1, { dirs: [{ path: '/nonexistent', topics: [{ name: 't', partitions: [0] }] }] });
    expect(bad.results[0].partitions[0].errorCode).toBe(ErrorCode.LOG_DIR_NOT_FOUND);
  });

  it('ElectLeaders: ELECTION_NOT_NEEDED for our partitions, errors for unknown ones and election types', async () => {
    const r = await c.send(P.ElectLeaders, 2, { electionType: 0, timeoutMs: 5000, topicPartitions: [{ topic: 't', partitions: [0, 9] }, { topic: 'nope', partitions: [0] }] });
    expect(r).toMatchObject({ errorCode: 0 });
    expect(r.replicaElectionResults).toEqual([
      { topic: 't', partitionResult: [
        { partitionId: 0, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' },
        { partitionId: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such partition as t-9' },
      ] },
      { topic: 'nope', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such topic as nope' }] },
    ]);
    const unclean = await c.send(P.ElectLeaders, 1, { electionType: 1, timeoutMs: 5000, topicPartitions: [{ topic: 't', partitions: [0] }] });
    expect(unclean.replicaElectionResults[0].partitionResult[0].errorCode).toBe(ErrorCode.ELECTION_NOT_NEEDED);
    const all = await c.send(P.ElectLeaders, 2, { electionType: 0, timeoutMs: 5000, topicPartitions: null });
    expect(all.replicaElectionResults).toContainEqual({ topic: 't', partitionResult: [] });
    const bad = await c.send(P.ElectLeaders, 2, { electionType: 5, timeoutMs: 5000, topicPartitions: [{ topic: 't', partitions: [0] }] });
    expect(bad).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, replicaElectionResults: [{ topic: 't', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown election type 5' }] }] });
  });

  it('partition reassignments: none in progress; only [this broker] is a valid target', async () => {
    expect(await c.send(P.ListPartitionReassignments, 0, { topics: null })).toMatchObject({ errorCode: 0, errorMessage: null, topics: [] });
    const alter = (partitions: Array<{ partitionIndex: number; replicas: number[] | null }>, name = 't') =>
      c.send(P.AlterPartitionReassignments, 0, { topics: [{ name, partitions }] }).then((r) => r.responses[0].partitions.map((p) => [p.errorCode, p.errorMessage]));
    expect(await alter([{ partitionIndex: 0, replicas: null }])).toEqual([[ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, null]]);
    expect(await alter([{ partitionIndex: 0, replicas: [broker.nodeId] }])).toEqual([[0, null]]);
    expect(await alter([{ partitionIndex: 0, replicas: [2] }, { partitionIndex: 9, replicas: [1] }])).toEqual([
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes broker 2, but no such broker is registered.'],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find partition t:9.'],
    ]);
    expect(await alter([{ partitionIndex: 0, replicas: [1, 1] }])).toEqual([[ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes the broker 1 more than once.']]);
    expect(await alter([{ partitionIndex: 0, replicas: [] }])).toEqual([[ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.']]);
    expect(await alter([{ partitionIndex: 0, replicas: [1] }], 'nope')).toEqual([[ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find a topic named nope.']]);
  });

  it('ACLs and SCRAM credentials without an authorizer: Kafka\'s answers', async () => {
    const filter = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };
    expect(await c.send(P.DescribeAcls, 3, filter)).toMatchObject({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker', resources: [] });
    const creation = { resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };
    expect((await c.send(P.CreateAcls, 3, { creations: [creation, creation] })).results).toEqual([
      { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' },
      { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' },
    ]);
    expect((await c.send(P.DeleteAcls, 1, { filters: [filter] })).filterResults).toEqual([{ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.', matchingAcls: [] }]);
    expect(await c.send(P.DescribeUserScramCredentials, 0, { users: null })).toMatchObject({ errorCode: 0, errorMessage: '', results: [] });
    const some = await c.send(P.DescribeUserScramCredentials, 0, { users: [{ name: 'alice' }, { name: 'bob' }, { name: 'alice' }] });
    expect(some.results).toEqual([
      { user: 'alice', errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request: alice', credentialInfos: [] },
      { user: 'bob', errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to describe a user credential that does not exist: bob', credentialInfos: [] },
    ]);
  });

  it('client quotas: stored, filtered (match, default, any, strict), validated, persisted across a restart', async () => {
    const set = await c.send(P.AlterClientQuotas, 1, {
      validateOnly: false,
      entries: [
        { entity: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }, { key: 'consumer_byte_rate', value: 2048, remove: false }] },
        { entity: [{ entityType: 'client-id', entityName: null }], ops: [{ key: 'request_percentage', value: 50, remove: false }] },
        { entity: [{ entityType: 'user', entityName: 'bob' }, { entityType: 'client-id', entityName: 'app' }], ops: [{ key: 'producer_byte_rate', value: 10, remove: false }] },
      ],
    });
    expect(set.entries.map((e) => [e.errorCode, e.entity.map((x) => `${x.entityType}=${x.entityName}`).join(',')])).toEqual([[0, 'user=alice'], [0, 'client-id=null'], [0, 'client-id=app,user=bob']]);
    const bad = await c.send(P.AlterClientQuotas, 1, {
      validateOnly: true,
      entries: [
        { entity: [{ entityType: 'user', entityName: 'x' }], ops: [{ key: 'foo', value: 1, remove: false }] },
        { entity: [{ entityType: 'bogus', entityName: 'x' }], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] },
        { entity: [{ entityType: 'user', entityName: 'c' }], ops: [{ key: 'producer_byte_rate', value: 1.5, remove: false }] },
        { entity: [{ entityType: 'user', entityName: 'd' }], ops: [{ key: 'producer_byte_rate', value: -1, remove: false }] },
        { entity: [], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] },
        { entity: [{ entityType: 'ip', entityName: '1.2.3.4' }], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] },
        { entity: [{ entityType: 'ip', entityName: 'notanip' }], ops: [{ key: 'connection_creation_rate', value: 1, remove: false }] },
      ],
    });
    expect(bad.entries.map((e) => [e.errorCode, e.errorMessage])).toEqual([
      [ErrorCode.INVALID_REQUEST, 'Invalid configuration key foo'],
      [ErrorCode.INVALID_REQUEST, 'Unhandled client quota entity type: bogus'],
      [ErrorCode.INVALID_REQUEST, 'producer_byte_rate cannot be a fractional value.'],
      [ErrorCode.INVALID_REQUEST, 'Quota producer_byte_rate must be greater than 0'],
      [ErrorCode.INVALID_REQUEST, 'Invalid empty client quota entity'],
      [ErrorCode.INVALID_REQUEST, 'Invalid configuration key producer_byte_rate'],
      [ErrorCode.INVALID_REQUEST, 'notanip is not a valid IP or resolvable host.'],
    ]);
    const describeQ = async (components: Array<{ entityType: string; matchType: number; match: string | null }>, strict = false) => {
      const r = await c.send(P.DescribeClientQuotas, 1, { components, strict });
      if (r.errorCode !== 0) return [r.errorCode, r.errorMessage];
      return r.entries!.map((e) => `${e.entity.map((x) => `${x.entityType}=${x.entityName}`).join(',')}:${e.values.map((v) => `${v.key}=${v.value}`).join(',')}`).sort();
    };
    const alice = 'user=alice:consumer_byte_rate=2048,producer_byte_rate=1024';
    const bob = 'client-id=app,user=bob:producer_byte_rate=10';
    const dflt = 'client-id=null:request_percentage=50';
    expect(await describeQ([])).toEqual([bob, dflt, alice]);
    expect(await describeQ([], true)).toEqual([]);
    expect(await describeQ([{ entityType: 'user', matchType: 0, match: 'alice' }], true)).toEqual([alice]);
    expect(await describeQ([{ entityType: 'user', matchType: 2, match: null }])).toEqual([bob, alice]);
    expect(await describeQ([{ entityType: 'user', matchType: 2, match: null }], true)).toEqual([alice]);
    expect(await describeQ([{ entityType: 'client-id', matchType: 1, match: null }])).toEqual([dflt]);
    expect(await describeQ([{ entityType: 'bogus', matchType: 0, match: 'x' }])).toEqual([ErrorCode.UNSUPPORTED_VERSION, 'Unsupported entity type bogus']);
    expect(await describeQ([{ entityType: 'user', matchType: 7, match: 'x' }])).toEqual([ErrorCode.INVALID_REQUEST, 'Unknown match type 7']);
    expect(await describeQ([{ entityType: 'user', matchType: 0, match: null }])).toEqual([ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_EXACT, but set match string to null.']);

    await c.send(P.AlterClientQuotas, 0, { validateOnly: false, entries: [{ entity: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'consumer_byte_rate', value: 0, remove: true }] }] });
    c.close();
    await broker.close();
    await start();
    expect(await describeQ([])).toEqual([bob, dflt, 'user=alice:producer_byte_rate=1024']);
  });
});
