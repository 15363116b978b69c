import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ListOffsets, OffsetForLeaderEpoch } from '../../src/protocol/index.js';
import { buildRecordBatch } from '../../src/protocol/records/index.js';
import {
  EARLIEST_LOCAL_TIMESTAMP, EARLIEST_TIMESTAMP, LATEST_TIERED_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP,
} from '../../src/storage/service/common.js';
import { KafkaTestClient, produce } from '../helpers/kafka-client.js';

let broker: RunningBroker;
let client: KafkaTestClient;

async function listOffsets(topic: string, timestamp: number, opts: { version?: number; partition?: number; currentLeaderEpoch?: number; maxNumOffsets?: number; isolationLevel?: number } = {}) {
  const res = await client.request(ListOffsets, opts.version ?? 8, {
    replicaId: -1,
    isolationLevel: opts.isolationLevel ?? 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: opts.partition ?? 0, currentLeaderEpoch: opts.currentLeaderEpoch ?? -1, timestamp: BigInt(timestamp), maxNumOffsets: opts.maxNumOffsets ?? 1 }] }],
  });
  return res.topics[0]!.partitions[0]!;
}

async function epochEnd(topic: string, leaderEpoch: number, currentLeaderEpoch = -1, version = 4, partition = 0) {
  const res = await client.request(OffsetForLeaderEpoch, version, {
    replicaId: -1,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch, leaderEpoch }] }],
  });
  return res.topics[0]!.partitions[0]!;
}

beforeAll(async () => {
  broker = await startBroker({ storage: 'memory', port: 0, config: { 'log.level': 'silent' } });
  client = await KafkaTestClient.connect(broker.port);
  for (const name of ['t', 'empty']) expect((await broker.services.topics.createTopic({ name, numPartitions: 1 })).errorCode).toBe(0);
  // offsets 0-2 at 1000/1500/1200, offsets 3-4 at 3000/2000 (max timestamp 3000 at offset 3)
  await produce(client, 't', 0, buildRecordBatch({ records: [{ value: 'a', timestamp: 1000 }, { value: 'b', timestamp: 1500 }, { value: 'c', timestamp: 1200 }] }));
  await produce(client, 't', 0, buildRecordBatch({ records: [{ value: 'd', timestamp: 3000 }, { value: 'e', timestamp: 2000 }], compression: 1 }));
});
afterAll(async () => {
  await client.close();
  await broker.close();
});

describe('ListOffsets', () => {
  it('answers earliest and latest with timestamp -1 and the leader epoch', async () => {
    expect(await listOffsets('t', EARLIEST_TIMESTAMP)).toMatchObject({ errorCode: 0, offset: 0n, timestamp: -1n, leaderEpoch: 0 });
    expect(await listOffsets('t', LATEST_TIMESTAMP)).toMatchObject({ errorCode: 0, offset: 5n, timestamp: -1n, leaderEpoch: 0 });
    expect(await listOffsets('t', LATEST_TIMESTAMP, { version: 1 })).toMatchObject({ errorCode: 0, offset: 5n });
    expect(await listOffsets('t', LATEST_TIMESTAMP, { isolationLevel: 1 })).toMatchObject({ errorCode: 0, offset: 5n });
  });

  it('answers max timestamp (v7+) with the exact record', async () => {
    expect(await listOffsets('t', MAX_TIMESTAMP, { version: 7 })).toMatchObject({ errorCode: 0, offset: 3n, timestamp: 3000n, leaderEpoch: 0 });
    expect(await listOffsets('empty', MAX_TIMESTAMP, { version: 7 })).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n, leaderEpoch: -1 });
  });

  it('answers earliest local (v8+) as the log start and latest tiered (v9+) as -1 without tiered storage', async () => {
    expect(await listOffsets('t', EARLIEST_LOCAL_TIMESTAMP, { version: 8 })).toMatchObject({ errorCode: 0, offset: 0n });
    expect(await listOffsets('t', LATEST_TIERED_TIMESTAMP, { version: 9 })).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n, leaderEpoch: -1 });
  });

  it('looks up by time: the first record at or after the target, -1/-1 past the newest', async () => {
    expect(await listOffsets('t', 1100)).toMatchObject({ offset: 1n, timestamp: 1500n, leaderEpoch: 0 });
    expect(await listOffsets('t', 1000)).toMatchObject({ offset: 0n, timestamp: 1000n });
    expect(await listOffsets('t', 1600)).toMatchObject({ offset: 3n, timestamp: 3000n });
    expect(await listOffsets('t', 2500)).toMatchObject({ offset: 3n, timestamp: 3000n });
    expect(await listOffsets('t', 3001)).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n, leaderEpoch: -1 });
  });

  it('answers v0 with old_style_offsets', async () => {
    expect((await listOffsets('t', LATEST_TIMESTAMP, { version: 0, maxNumOffsets: 10 })).oldStyleOffsets).toEqual([5n, 0n]);
    expect((await listOffsets('t', LATEST_TIMESTAMP, { version: 0, maxNumOffsets: 1 })).oldStyleOffsets).toEqual([5n]);
    expect((await listOffsets('t', EARLIEST_TIMESTAMP, { version: 0, maxNumOffsets: 1 })).oldStyleOffsets).toEqual([0n]);
  });

  it('checks current_leader_epoch and unknown partitions', async () => {
    expect((await listOffsets('t', LATEST_TIMESTAMP, { currentLeaderEpoch: 3 })).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect((await listOffsets('t', LATEST_TIMESTAMP, { currentLeaderEpoch: 0 })).errorCode).toBe(0);
    expect(await listOffsets('nope', LATEST_TIMESTAMP)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, offset: -1n });
    expect((await listOffsets('t', LATEST_TIMESTAMP, { partition: 4 })).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('answers INVALID_REQUEST for a partition asked twice', async () => {
    const p = { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n };
    const res = await client.request(ListOffsets, 5, { replicaId: -1, topics: [{ name: 't', partitions: [p, p] }] });
    expect(res.topics[0]!.partitions.map((x) => x.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
  });
});

describe('OffsetForLeaderEpoch', () => {
  it('answers the log end offset for the current epoch', async () => {
    expect(await epochEnd('t', 0)).toMatchObject({ errorCode: 0, leaderEpoch: 0, endOffset: 5n });
    expect(await epochEnd('empty', 0)).toMatchObject({ errorCode: 0, leaderEpoch: 0, endOffset: 0n });
    expect(await epochEnd('t', 0, -1, 0)).toMatchObject({ errorCode: 0, endOffset: 5n });
  });

  it('answers UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET for a newer (unknown) epoch', async () => {
    expect(await epochEnd('t', 7)).toMatchObject({ errorCode: 0, leaderEpoch: -1, endOffset: -1n });
  });

  it('checks current_leader_epoch and unknown partitions', async () => {
    expect((await epochEnd('t', 0, 2)).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(await epochEnd('nope', 0)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, leaderEpoch: -1, endOffset: -1n });
  });

  it('agrees with ListOffsets latest and with the epoch stamped in fetched batches', async () => {
    const latest = await listOffsets('t', LATEST_TIMESTAMP);
    const end = await epochEnd('t', latest.leaderEpoch);
    expect(end.endOffset).toBe(latest.offset);
  });
});
