import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Fetch } from '../../src/protocol/index.js';
import { KafkaTestClient, batchOf, fetchOnce, produce, recordsOf } from '../helpers/kafka-client.js';

let broker: RunningBroker;
let client: KafkaTestClient;

beforeAll(async () => {
  broker = await startBroker({ storage: 'memory', port: 0, config: { 'log.level': 'silent' } });
  client = await KafkaTestClient.connect(broker.port);
  for (const name of ['f', 'g', 'w', 'kip74']) expect((await broker.services.topics.createTopic({ name, numPartitions: 2 })).errorCode).toBe(0);
  await produce(client, 'f', 0, batchOf(['a', 'b', 'c']));
  await produce(client, 'f', 0, batchOf(['d', 'e']));
});
afterAll(async () => {
  await client.close();
  await broker.close();
});

describe('Fetch', () => {
  it('returns whole batches from the fetch offset, with high watermark, last stable offset and log start', async () => {
    const { response, partition } = await fetchOnce(client, 'f', 0, 0);
    expect(response.sessionId).toBe(0);
    expect(response.errorCode).toBe(0);
    expect(partition).toMatchObject({ errorCode: 0, highWatermark: 5n, lastStableOffset: 5n, logStartOffset: 0n, preferredReadReplica: -1, abortedTransactions: null });
    expect(recordsOf(partition!.records).map((r) => r.value?.toString())).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('returns the whole batch when the fetch offset is inside it', async () => {
    const { partition } = await fetchOnce(client, 'f', 0, 4);
    expect(recordsOf(partition!.records).map((r) => Number(r.offset))).toEqual([3, 4]);
    const mid = await fetchOnce(client, 'f', 0, 1);
    expect(recordsOf(mid.partition!.records).map((r) => Number(r.offset))[0]).toBe(0);
  });

  it('answers OFFSET_OUT_OF_RANGE outside [log start, LEO] and an empty answer at LEO', async () => {
    const beyond = await fetchOnce(client, 'f', 0, 6);
    expect(beyond.partition).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1n });
    expect((await fetchOnce(client, 'f', 0, -1)).partition!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const atEnd = await fetchOnce(client, 'f', 0, 5);
    expect(atEnd.partition).toMatchObject({ errorCode: 0, highWatermark: 5n });
    expect(atEnd.partition!.records?.length ?? 0).toBe(0);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for an unknown topic or partition', async () => {
    expect((await fetchOnce(client, 'nope', 0, 0)).partition!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await fetchOnce(client, 'f', 9, 0)).partition!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('fetches by topic id from v13 and answers UNKNOWN_TOPIC_ID for an unknown id', async () => {
    const id = broker.services.topics.get('f')!.topicId;
    const { response, partition } = await fetchOnce(client, '', 0, 0, { version: 13, topicId: id });
    expect(response.responses[0]!.topicId).toBe(id);
    expect(recordsOf(partition!.records)).toHaveLength(5);
    const v16 = await fetchOnce(client, '', 0, 3, { version: 16, topicId: id });
    expect(recordsOf(v16.partition!.records).map((r) => Number(r.offset))).toEqual([3, 4]);
    const unknown = await fetchOnce(client, '', 0, 0, { version: 13, topicId: '1'.repeat(32) });
    expect(unknown.partition!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('checks current_leader_epoch: newer → UNKNOWN_LEADER_EPOCH, older → FENCED_LEADER_EPOCH, current or -1 → data', async () => {
    expect((await fetchOnce(client, 'f', 0, 0, { currentLeaderEpoch: 5 })).partition!.errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect((await fetchOnce(client, 'f', 0, 0, { currentLeaderEpoch: 0 })).partition!.errorCode).toBe(0);
    // Only -1 means "no epoch": any other older value is fenced, as in Kafka.
    expect((await fetchOnce(client, 'f', 0, 0, { currentLeaderEpoch: -2 })).partition!.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  });

  it('declines incremental fetch sessions: epoch 0 is a full fetch with session id 0, other epochs FETCH_SESSION_ID_NOT_FOUND', async () => {
    const base = { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: 'f', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }] }] };
    const open = await client.request(Fetch, 11, { ...base, sessionId: 0, sessionEpoch: 0 });
    expect(open.sessionId).toBe(0);
    expect(open.errorCode).toBe(0);
    expect(recordsOf(open.responses[0]!.partitions[0]!.records)).toHaveLength(5);
    const incremental = await client.request(Fetch, 11, { ...base, sessionId: 1234, sessionEpoch: 1 });
    expect(incremental.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    expect(incremental.responses).toEqual([]);
    const close = await client.request(Fetch, 11, { ...base, sessionId: 1234, sessionEpoch: -1 });
    expect(close.errorCode).toBe(0);
  });

  it('KIP-74: the first batch comes whole even past max_bytes; later partitions only within the budget', async () => {
    const big = 'x'.repeat(5000);
    await produce(client, 'kip74', 0, batchOf([big]));
    await produce(client, 'kip74', 0, batchOf([big]));
    await produce(client, 'kip74', 1, batchOf(['small']));
    const res = await client.request(Fetch, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 100, sessionEpoch: -1,
      topics: [{ topic: 'kip74', partitions: [
        { partition: 0, fetchOffset: 0n, partitionMaxBytes: 100, currentLeaderEpoch: -1 },
        { partition: 1, fetchOffset: 0n, partitionMaxBytes: 100, currentLeaderEpoch: -1 },
      ] }],
    });
    const [p0, p1] = res.responses[0]!.partitions;
    expect(recordsOf(p0!.records!).map((r) => Number(r.offset))).toEqual([0]);
    expect(p1!.records?.length ?? 0).toBe(0);
    expect(p1!.highWatermark).toBe(1n);
  });

  it('long-polls: returns as soon as data arrives on any requested partition, well before max_wait', async () => {
    const waiter = await KafkaTestClient.connect(broker.port);
    const started = Date.now();
    const pending = waiter.request(Fetch, 11, {
      replicaId: -1, maxWaitMs: 10_000, minBytes: 1, maxBytes: 1 << 20, sessionEpoch: -1,
      topics: [{ topic: 'w', partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 })) }],
    });
    await new Promise((r) => setTimeout(r, 100));
    await produce(client, 'w', 1, batchOf(['wake']));
    const res = await pending;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(recordsOf(res.responses[0]!.partitions[1]!.records).map((r) => r.value?.toString())).toEqual(['wake']);
    await waiter.close();
  });

  it('waits for min_bytes and answers what it has at max_wait', async () => {
    const started = Date.now();
    const res = await fetchOnce(client, 'g', 0, 0, { maxWaitMs: 200, minBytes: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(res.partition!.errorCode).toBe(0);
    await produce(client, 'g', 0, batchOf(['1']));
    const enough = await fetchOnce(client, 'g', 0, 0, { maxWaitMs: 200, minBytes: 1_000_000 });
    expect(recordsOf(enough.partition!.records)).toHaveLength(1);
  });

  it('stops waiting when the connection closes', async () => {
    const c = await KafkaTestClient.connect(broker.port);
    const p = c.request(Fetch, 11, { replicaId: -1, maxWaitMs: 30_000, minBytes: 1, maxBytes: 1 << 20, sessionEpoch: -1, topics: [{ topic: 'g', partitions: [{ partition: 1, fetchOffset: 0n, partitionMaxBytes: 1024, currentLeaderEpoch: -1 }] }] });
    p.catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
    c.socket.destroy();
    await expect(p).rejects.toThrow();
  });
});

describe('Fetch with the broker config fetch.max.bytes', () => {
  let capped: RunningBroker;
  let c: KafkaTestClient;
  beforeAll(async () => {
    capped = await startBroker({ storage: 'memory', port: 0, config: { 'log.level': 'silent', 'fetch.max.bytes': '2048' } });
    c = await KafkaTestClient.connect(capped.port);
    expect((await capped.services.topics.createTopic({ name: 'cap', numPartitions: 1 })).errorCode).toBe(0);
    for (let i = 0; i < 3; i++) await produce(c, 'cap', 0, batchOf(['y'.repeat(2500)]));
  });
  afterAll(async () => {
    await c.close();
    await capped.close();
  });
  const request = (minBytes: number, maxWaitMs: number) => ({
    replicaId: -1, maxWaitMs, minBytes, maxBytes: 64 << 20, sessionEpoch: -1,
    topics: [{ topic: 'cap', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 16 << 20, currentLeaderEpoch: -1 }] }],
  });

  it('caps the request max_bytes (the first batch still comes whole)', async () => {
    const res = await c.request(Fetch, 12, request(1, 0));
    const p = res.responses[0]!.partitions[0]!;
    expect(p.highWatermark).toBe(3n);
    // 3 batches of ~2.6 KB: a 64 MiB max_bytes would carry all three; under the 2048-byte cap only the first
    // comes, whole (KIP-74).
    expect(recordsOf(p.records!).map((r) => Number(r.offset))).toEqual([0]);
  });

  it('lowers min_bytes to the cap: a fetch asking for more than the cap answers once the cap is available', async () => {
    const t0 = Date.now();
    const res = await c.request(Fetch, 12, request(32 << 20, 20_000));
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(recordsOf(res.responses[0]!.partitions[0]!.records!).length).toBe(1);
  });
});
