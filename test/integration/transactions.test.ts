/**
 * Transactions end to end with kafkajs (in-process broker): commit and abort; read_committed sees only
 * committed records (LSO, aborted-transactions list), read_uncommitted sees all; a kafkajs consumer
 * skips control batches; sendOffsets commits group offsets only with the transaction; two producers with
 * one transactional.id (the older is fenced); timeout abort by the coordinator's timer; visibility APIs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { API_CODECS } from '../../src/protocol/generated/index.js';
import { CONTROL_FLAG, batches, iterateRecords } from '../../src/protocol/records/index.js';
import { KafkaTestClient } from '../helpers/kafka-client.js';

const { Kafka, logLevel } = kafkajs;

let broker: RunningBroker;
let dir: string;
let client: KafkaTestClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brook-txn-'));
  broker = await startBroker({
    storage: 'file',
    port: 0,
    config: { 'log.dirs': dir, 'log.level': 'silent', 'transaction.state.log.num.partitions': 3, 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 200 },
  });
  client = await KafkaTestClient.connect(broker.port);
});
afterAll(async () => {
  await client?.close();
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

const kafka = () => new Kafka({ clientId: 'txn-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });

interface Fetched {
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  aborted: Array<{ producerId: bigint; firstOffset: bigint }> | null;
  values: string[];
  controlBatches: number;
}

async function fetch(topic: string, partition: number, isolationLevel: 0 | 1, offset = 0n): Promise<Fetched> {
  const res = (await client.request(API_CODECS.get(1)! as any, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 24, isolationLevel, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 24, currentLeaderEpoch: -1, logStartOffset: -1n }] }],
  })) as any;
  const p = res.responses[0].partitions[0];
  const values: string[] = [];
  let controlBatches = 0;
  const blob: Buffer | null = p.records;
  if (blob) {
    for (const b of batches(blob)) {
      if (b.partial) break;
      if (blob.readInt16BE(b.pos + 21) & CONTROL_FLAG) {
        controlBatches++;
        continue;
      }
      for (const r of iterateRecords(blob, b.pos)) values.push(r.value!.toString());
    }
  }
  return { errorCode: p.errorCode, highWatermark: p.highWatermark, lastStableOffset: p.lastStableOffset, aborted: p.abortedTransactions, values, controlBatches };
}

describe('kafkajs transactions', () => {
  it('commit and abort: read_committed stops at the LSO and lists aborted transactions; read_uncommitted sees all', async () => {
    const topic = 'txn-basic';
    await broker.services.topics.createTopic({ name: topic, numPartitions: 1 });
    const producer = kafka().producer({ transactionalId: 'tx-basic', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const t1 = await producer.transaction();
      await t1.send({ topic, messages: [{ value: 'c1' }, { value: 'c2' }] });
      // Open transaction: read_committed sees nothing yet, the LSO is its first offset.
      const open = await fetch(topic, 0, 1);
      expect(open.lastStableOffset).toBe(0n);
      expect(open.values).toEqual([]);
      expect((await fetch(topic, 0, 0)).values).toEqual(['c1', 'c2']);
      await t1.commit();

      const t2 = await producer.transaction();
      await t2.send({ topic, messages: [{ value: 'a1' }] });
      await t2.abort();

      const t3 = await producer.transaction();
      await t3.send({ topic, messages: [{ value: 'c3' }] });
      await t3.commit();
    } finally {
      await producer.disconnect();
    }
    const committed = await fetch(topic, 0, 1);
    expect(committed.lastStableOffset).toBe(committed.highWatermark);
    expect(committed.highWatermark).toBe(7n); // c1 c2 COMMIT a1 ABORT c3 COMMIT
    expect(committed.aborted).toHaveLength(1);
    expect(committed.aborted![0]!.firstOffset).toBe(3n);
    expect(committed.controlBatches).toBe(3);
    const all = await fetch(topic, 0, 0);
    expect(all.values).toEqual(['c1', 'c2', 'a1', 'c3']);
    expect(all.aborted).toBeNull();
  });

  it('a kafkajs read_committed consumer gets only committed records and skips control batches', async () => {
    if (!broker.services.extensions.has('groups')) return; // needs the group coordinator
    const topic = 'txn-basic';
    const consumer = kafka().consumer({ groupId: 'txn-reader', readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only got ${got.join(',')}`)), 20_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          got.push(message.value!.toString());
          if (got.length >= 3) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(got).toEqual(['c1', 'c2', 'c3']);
  });

  it('sendOffsets: the group offsets become visible only when the transaction commits', async () => {
    if (!broker.services.extensions.has('txnOffsetSink')) return; // needs the group coordinator
    const topic = 'txn-offsets';
    await broker.services.topics.createTopic({ name: topic, numPartitions: 1 });
    const admin = kafka().admin();
    await admin.connect();
    const producer = kafka().producer({ transactionalId: 'tx-offsets', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const committedOffset = async () => (await admin.fetchOffsets({ groupId: 'g-offsets', topics: [topic] }))[0]!.partitions[0]!.offset;
      const t1 = await producer.transaction();
      await t1.send({ topic, messages: [{ value: 'x' }] });
      await t1.sendOffsets({ consumerGroupId: 'g-offsets', topics: [{ topic, partitions: [{ partition: 0, offset: '5' }] }] });
      expect(await committedOffset()).toBe('-1');
      await t1.abort();
      expect(await committedOffset()).toBe('-1');
      const t2 = await producer.transaction();
      await t2.sendOffsets({ consumerGroupId: 'g-offsets', topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }] });
      await t2.commit();
      expect(await committedOffset()).toBe('7');
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('OffsetFetch require_stable (v7+): UNSTABLE_OFFSET_COMMIT while a transaction holds offsets for the partition', async () => {
    if (!broker.services.extensions.has('txnOffsetSink')) return; // needs the group coordinator
    const topic = 'txn-offsets-stable';
    await broker.services.topics.createTopic({ name: topic, numPartitions: 2 });
    const producer = kafka().producer({ transactionalId: 'tx-offsets-stable', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    type Part = { partitionIndex: number; committedOffset: bigint; errorCode: number };
    const v7 = async (requireStable: boolean): Promise<Part[]> => {
      const res = (await client.request(API_CODECS.get(9)! as any, 7, {
        groupId: 'g-stable', topics: [{ name: topic, partitionIndexes: [0, 1] }], requireStable,
      })) as { errorCode: number; topics: Array<{ partitions: Part[] }> };
      expect(res.errorCode).toBe(0);
      return res.topics[0]!.partitions;
    };
    const v8 = async (): Promise<Part[]> => {
      const res = (await client.request(API_CODECS.get(9)! as any, 8, {
        groups: [{ groupId: 'g-stable', topics: [{ name: topic, partitionIndexes: [0, 1] }] }], requireStable: true,
      })) as { groups: Array<{ errorCode: number; topics: Array<{ partitions: Part[] }> }> };
      expect(res.groups[0]!.errorCode).toBe(0);
      return res.groups[0]!.topics[0]!.partitions;
    };
    const brief = (ps: Part[]) => ps.map((p) => [p.partitionIndex, Number(p.committedOffset), p.errorCode]);
    try {
      const t1 = await producer.transaction();
      await t1.sendOffsets({ consumerGroupId: 'g-stable', topics: [{ topic, partitions: [{ partition: 0, offset: '3' }] }] });
      await t1.commit();
      const t2 = await producer.transaction();
      await t2.sendOffsets({ consumerGroupId: 'g-stable', topics: [{ topic, partitions: [{ partition: 0, offset: '9' }] }] });
      // Partition 0 has pending offsets: unstable with require_stable, the last committed one without; partition 1 is not involved.
      expect(brief(await v7(true))).toEqual([[0, -1, ErrorCode.UNSTABLE_OFFSET_COMMIT], [1, -1, 0]]);
      expect(brief(await v8())).toEqual([[0, -1, ErrorCode.UNSTABLE_OFFSET_COMMIT], [1, -1, 0]]);
      expect(brief(await v7(false))).toEqual([[0, 3, 0], [1, -1, 0]]);
      await t2.commit();
      expect(brief(await v7(true))).toEqual([[0, 9, 0], [1, -1, 0]]);
      const t3 = await producer.transaction();
      await t3.sendOffsets({ consumerGroupId: 'g-stable', topics: [{ topic, partitions: [{ partition: 0, offset: '12' }] }] });
      await t3.abort();
      expect(brief(await v7(true))).toEqual([[0, 9, 0], [1, -1, 0]]);
    } finally {
      await producer.disconnect();
    }
  });

  it('fencing: a second producer with the same transactional.id fences the first', async () => {
    const topic = 'txn-fence';
    await broker.services.topics.createTopic({ name: topic, numPartitions: 1 });
    const first = kafka().producer({ transactionalId: 'tx-fence', idempotent: true, maxInFlightRequests: 1 });
    await first.connect();
    const t1 = await first.transaction();
    await t1.send({ topic, messages: [{ value: 'zombie' }] });
    const second = kafka().producer({ transactionalId: 'tx-fence', idempotent: true, maxInFlightRequests: 1 });
    await second.connect(); // InitProducerId aborts the zombie's open transaction and bumps the epoch
    const t2 = await second.transaction();
    await t2.send({ topic, messages: [{ value: 'live' }] });
    await t2.commit();
    await expect(t1.commit()).rejects.toThrow();
    await first.disconnect().catch(() => undefined);
    await second.disconnect();
    const r = await fetch(topic, 0, 1);
    // zombie (offset 0) is returned but listed as aborted (its ABORT marker is at 1, with the bumped epoch).
    expect(r.values).toEqual(['zombie', 'live']);
    expect(r.aborted!.map((a) => a.firstOffset)).toEqual([0n]);
    expect(r.lastStableOffset).toBe(r.highWatermark);
  });

  it('timeout: an open transaction past transaction.timeout.ms is aborted by the coordinator', async () => {
    const topic = 'txn-timeout';
    await broker.services.topics.createTopic({ name: topic, numPartitions: 1 });
    const producer = kafka().producer({ transactionalId: 'tx-timeout', transactionTimeout: 500, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const t = await producer.transaction();
    await t.send({ topic, messages: [{ value: 'late' }] });
    expect((await fetch(topic, 0, 1)).lastStableOffset).toBe(0n);
    await new Promise((r) => setTimeout(r, 1500));
    const r = await fetch(topic, 0, 1);
    expect(r.lastStableOffset).toBe(2n); // data + ABORT marker
    expect(r.values).toEqual(['late']); // returned, but listed as aborted: clients drop it
    expect(r.aborted).toHaveLength(1);
    await expect(t.commit()).rejects.toThrow();
    await producer.disconnect().catch(() => undefined);
  });

  it('rejects transaction.timeout.ms above transaction.max.timeout.ms', async () => {
    const res = (await client.request(API_CODECS.get(22)! as any, 1, { transactionalId: 'tx-too-long', transactionTimeoutMs: 900_001 })) as { errorCode: number };
    expect(res.errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  });

  it('DescribeTransactions, ListTransactions, DescribeProducers', async () => {
    const d = (await client.request(API_CODECS.get(65)! as any, 0, { transactionalIds: ['tx-basic', 'nope'] })) as any;
    expect(d.transactionStates[0]).toMatchObject({ errorCode: 0, transactionalId: 'tx-basic', transactionState: 'CompleteCommit' });
    expect(d.transactionStates[1].errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    const l = (await client.request(API_CODECS.get(66)! as any, 1, { stateFilters: ['CompleteCommit', 'Bogus'], producerIdFilters: [], durationFilter: -1n })) as any;
    expect(l.unknownStateFilters).toEqual(['Bogus']);
    expect(l.transactionStates.map((t: { transactionalId: string }) => t.transactionalId)).toContain('tx-basic');
    const p = (await client.request(API_CODECS.get(61)! as any, 0, { topics: [{ name: 'txn-basic', partitionIndexes: [0, 9] }] })) as any;
    expect(p.topics[0].partitions[0].activeProducers).toHaveLength(1);
    expect(p.topics[0].partitions[0].activeProducers[0]).toMatchObject({ currentTxnStartOffset: -1n, producerId: d.transactionStates[0].producerId });
    expect(p.topics[0].partitions[1].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
