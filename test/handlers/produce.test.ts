import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ApiVersions } from '../../src/protocol/index.js';
import { CRC, LOG_APPEND_TIME, TIMESTAMP_TYPE_LOG_APPEND, readBatchHeader, writeMessageSet } from '../../src/protocol/records/index.js';
import { KafkaTestClient, Produce, batchOf, fetchOnce, produce, recordsOf } from '../helpers/kafka-client.js';

let broker: RunningBroker;
let client: KafkaTestClient;

async function createTopic(name: string, partitions = 1, configs: Record<string, string> = {}) {
  const r = await broker.services.topics.createTopic({ name, numPartitions: partitions, configs: Object.entries(configs) });
  expect(r.errorCode).toBe(0);
}

beforeAll(async () => {
  broker = await startBroker({ storage: 'memory', port: 0, config: { 'log.level': 'silent', 'message.max.bytes': 10_000 } });
  client = await KafkaTestClient.connect(broker.port);
  await createTopic('p');
  await createTopic('lat', 1, { 'message.timestamp.type': 'LogAppendTime' });
  await createTopic('small', 1, { 'max.message.bytes': '200' });
  await createTopic('legacy');
});
afterAll(async () => {
  await client.close();
  await broker.close();
});

describe('Produce', () => {
  it('appends a batch and assigns consecutive offsets, answering log_start_offset and -1 append time', async () => {
    const a = await produce(client, 'p', 0, batchOf(['a', 'b', 'c']));
    expect(a).toMatchObject({ errorCode: 0, baseOffset: 0n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null });
    const b = await produce(client, 'p', 0, batchOf(['d']), { acks: 1 });
    expect(b.baseOffset).toBe(3n);
    const { partition } = await fetchOnce(client, 'p', 0, 0);
    expect(partition!.highWatermark).toBe(4n);
    expect(recordsOf(partition!.records).map((r) => [r.offset, r.value?.toString()])).toEqual([[0n, 'a'], [1n, 'b'], [2n, 'c'], [3n, 'd']]);
    const header = readBatchHeader(partition!.records!, 0);
    expect(header.partitionLeaderEpoch).toBe(0);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for an unknown topic or partition without creating it', async () => {
    expect((await produce(client, 'nope', 0, batchOf(['x']))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await produce(client, 'p', 7, batchOf(['x']))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(broker.services.topics.get('nope')).toBeUndefined();
  });

  it('answers INVALID_REQUIRED_ACKS for acks other than 0, 1, -1', async () => {
    const r = await produce(client, 'p', 0, batchOf(['x']), { acks: 2 });
    expect(r).toMatchObject({ errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1n });
  });

  it('gives acks=0 no response: the next pipelined request is answered first and only', async () => {
    const before = broker.services.storage.getPartition('p', 0)!.logEndOffset();
    const silent = client.send(Produce, 7, { acks: 0, timeoutMs: 1000, topicData: [{ name: 'p', partitionData: [{ index: 0, records: batchOf(['z']) }] }] });
    const arrived: number[] = [];
    const orig = client.socket.listeners('data');
    client.socket.prependListener('data', (c: Buffer) => arrived.push(c.readInt32BE(4)));
    const next = client.frame(ApiVersions, 2, {});
    const p = client.expect(next.correlationId);
    client.socket.write(next.bytes);
    await p;
    expect(arrived).toEqual([next.correlationId]);
    expect(arrived).not.toContain(silent);
    expect(orig.length).toBeGreaterThan(0);
    expect(broker.services.storage.getPartition('p', 0)!.logEndOffset()).toBe(before + 1);
  });

  it('closes the connection when an acks=0 request fails, as Kafka does', async () => {
    const c = await KafkaTestClient.connect(broker.port);
    c.send(Produce, 7, { acks: 0, timeoutMs: 1000, topicData: [{ name: 'nope', partitionData: [{ index: 0, records: batchOf(['z']) }] }] });
    await new Promise<void>((res) => c.socket.once('close', () => res()));
    expect(c.closed).toBe(true);
  });

  it('answers MESSAGE_TOO_LARGE for a batch over max.message.bytes (topic) and message.max.bytes (broker)', async () => {
    const big = 'x'.repeat(300);
    expect((await produce(client, 'small', 0, batchOf([big]))).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect((await produce(client, 'p', 0, batchOf(['y'.repeat(20_000)]))).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(broker.services.storage.getPartition('small', 0)!.logEndOffset()).toBe(0);
  });

  it('answers CORRUPT_MESSAGE for a flipped CRC byte and stores nothing (INVALID_RECORD stays CORRUPT_MESSAGE below v8)', async () => {
    const log = broker.services.storage.getPartition('p', 0)!;
    const before = log.logEndOffset();
    const bad = batchOf(['a', 'b']);
    bad[CRC + 1] ^= 0xff;
    expect((await produce(client, 'p', 0, bad)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    const flipped = batchOf(['c']);
    flipped[flipped.length - 1] ^= 0x01;
    expect((await produce(client, 'p', 0, flipped, { version: 7 })).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(log.logEndOffset()).toBe(before);
  });

  it('answers INVALID_RECORD (v8+) for two batches in one partition, CORRUPT_MESSAGE below v8', async () => {
    const two = Buffer.concat([batchOf(['a']), batchOf(['b'])]);
    expect((await produce(client, 'p', 0, two, { version: 9 })).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect((await produce(client, 'p', 0, two, { version: 5 })).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('stamps LogAppendTime topics: timestamp type bit, maxTimestamp, a valid CRC, log_append_time_ms returned', async () => {
    const before = Date.now();
    const r = await produce(client, 'lat', 0, batchOf(['a', 'b'], { timestamp: 1000 }));
    expect(r.errorCode).toBe(0);
    expect(Number(r.logAppendTimeMs)).toBeGreaterThanOrEqual(before);
    const { partition } = await fetchOnce(client, 'lat', 0, 0);
    const h = readBatchHeader(partition!.records!, 0);
    expect(h.attributes & TIMESTAMP_TYPE_LOG_APPEND).toBeTruthy();
    expect(h.maxTimestamp).toBe(r.logAppendTimeMs);
    const recs = recordsOf(partition!.records); // iterateRecords checks nothing about CRC; verify explicitly
    expect(recs.map((x) => x.timestamp)).toEqual([r.logAppendTimeMs, r.logAppendTimeMs]);
    const { batchCrcValid } = await import('../../src/protocol/records/batch-header.js');
    expect(batchCrcValid(partition!.records!, 0, partition!.records!.length)).toBe(true);
  });

  it('converts v0 and v2 legacy message sets and serves them back to Fetch v0 and v4', async () => {
    const v0 = writeMessageSet([{ offset: 0n, key: null, value: Buffer.from('m0'), timestamp: -1n }, { offset: 1n, key: Buffer.from('k'), value: Buffer.from('m1'), timestamp: -1n }], { magic: 0, compression: 0 });
    const r0 = await produce(client, 'legacy', 0, v0, { version: 0 });
    expect(r0).toMatchObject({ errorCode: 0, baseOffset: 0n });
    const v1 = writeMessageSet([{ offset: 0n, key: null, value: Buffer.from('m2'), timestamp: 1234n }], { magic: 1, compression: 1 });
    const r2 = await produce(client, 'legacy', 0, v1, { version: 2 });
    expect(r2).toMatchObject({ errorCode: 0, baseOffset: 2n, logAppendTimeMs: -1n });

    const f0 = await fetchOnce(client, 'legacy', 0, 0, { version: 0 });
    expect(f0.partition!.errorCode).toBe(0);
    const { readMessageSet } = await import('../../src/protocol/records/index.js');
    const legacy = readMessageSet(f0.partition!.records!);
    expect(legacy.map((m) => [m.offset, m.magic, m.value?.toString()])).toEqual([[0n, 0, 'm0'], [1n, 0, 'm1'], [2n, 0, 'm2']]);
    const f2 = await fetchOnce(client, 'legacy', 0, 2, { version: 2 });
    expect(readMessageSet(f2.partition!.records!).map((m) => [m.offset, m.magic, m.timestamp])).toEqual([[2n, 1, 1234n]]);

    const f4 = await fetchOnce(client, 'legacy', 0, 0, { version: 4 });
    expect(recordsOf(f4.partition!.records).map((m) => m.value?.toString())).toEqual(['m0', 'm1', 'm2']);
    expect(LOG_APPEND_TIME).toBe(1);
  });
});
