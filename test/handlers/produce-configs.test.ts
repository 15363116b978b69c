/**
 * Topic configs that change produced bytes or reject them (as Kafka's LogValidator): compression.type
 * re-compression, message.timestamp.before/after.max.ms, and Produce v8+ record_errors.
 */
import { gzipSync } from 'node:zlib';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { CompressionCodec, isXerialSnappy } from '../../src/protocol/compression/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import {
  ATTRIBUTES, BATCH_LENGTH, COMPRESSION_MASK, CRC, LOG_OVERHEAD, RECORDS, batchCrcValid, batches, buildRecordBatch,
  computeBatchCrc, readBatchHeader, type RecordInput,
} from '../../src/protocol/records/index.js';
import { registerKafkajsCodecs } from '../helpers/kafkajs-codecs.js';
import { KafkaTestClient, fetchOnce, produce, recordsOf } from '../helpers/kafka-client.js';

let broker: RunningBroker;
let client: KafkaTestClient;
const HOUR = 3_600_000;

async function createTopic(name: string, configs: Record<string, string> = {}) {
  const r = await broker.services.topics.createTopic({ name, numPartitions: 1, configs: Object.entries(configs) });
  expect(r.errorCode).toBe(0);
}

beforeAll(async () => {
  registerKafkajsCodecs();
  broker = await startBroker({ storage: 'memory', port: 0, config: { 'log.level': 'silent' } });
  client = await KafkaTestClient.connect(broker.port);
});
afterAll(async () => {
  await client?.close();
  await broker?.close();
});

/** Records with keys, null values, headers and out-of-order timestamps: every field must survive. */
function sampleRecords(tag: string, now = Date.now()): RecordInput[] {
  return [
    { key: `${tag}-k0`, value: `${tag}-v0 `.repeat(50), timestamp: now - 5000, headers: [{ key: 'h1', value: 'x' }, { key: 'h2', value: null }] },
    { key: null, value: null, timestamp: now - 9000 },
    { key: `${tag}-k2`, value: Buffer.from([0, 1, 2, 255]), timestamp: now, headers: { trace: `${tag}` } },
  ];
}

/** The stored batches of a partition (raw Fetch), each its own Buffer. */
async function storedBatches(topic: string): Promise<Buffer[]> {
  const { partition } = await fetchOnce(client, topic, 0, 0);
  expect(partition!.errorCode).toBe(0);
  const blob = partition!.records!;
  return [...batches(blob)].filter((b) => !b.partial).map((b) => Buffer.from(blob.subarray(b.pos, b.pos + b.size)));
}

const codecOf = (b: Buffer) => b.readInt16BE(ATTRIBUTES) & COMPRESSION_MASK;
const view = (blob: Buffer) =>
  recordsOf(blob).map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers, attributes: r.attributes }));

describe('compression.type', () => {
  it('zstd topic: uncompressed and gzip batches are stored as zstd with every record field kept and a valid CRC', async () => {
    await createTopic('cz', { 'compression.type': 'zstd' });
    const plain = buildRecordBatch({ records: sampleRecords('a') });
    const gz = buildRecordBatch({ records: sampleRecords('b'), compression: CompressionCodec.GZIP, producerId: 4242n, producerEpoch: 3, baseSequence: 0 });
    const r1 = await produce(client, 'cz', 0, plain);
    const r2 = await produce(client, 'cz', 0, gz);
    expect([r1.errorCode, r1.baseOffset, r2.errorCode, r2.baseOffset]).toEqual([0, 0n, 0, 3n]);

    const stored = await storedBatches('cz');
    expect(stored).toHaveLength(2);
    for (const [i, b] of stored.entries()) {
      expect(codecOf(b)).toBe(CompressionCodec.ZSTD);
      expect(batchCrcValid(b, 0, b.length)).toBe(true);
      const src = readBatchHeader(i === 0 ? plain : gz);
      const h = readBatchHeader(b);
      expect({ ...h, baseOffset: 0n, batchLength: 0, partitionLeaderEpoch: 0, crc: 0, attributes: h.attributes & ~COMPRESSION_MASK }).toEqual({
        ...src, baseOffset: 0n, batchLength: 0, partitionLeaderEpoch: 0, crc: 0, attributes: src.attributes & ~COMPRESSION_MASK,
      });
    }
    expect(readBatchHeader(stored[1]!)).toMatchObject({ producerId: 4242n, producerEpoch: 3, baseSequence: 0 });
    // Records identical to what was produced, at the assigned offsets.
    const expected = [...view(plain), ...view(gz).map((r) => ({ ...r, offset: r.offset + 3n }))];
    expect(view(Buffer.concat(stored))).toEqual(expected);

    // A client library reads them back.
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'cz-reader' });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'cz', fromBeginning: true });
      const got: Array<{ offset: string; key: string | null; headers: string[] }> = [];
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              got.push({ offset: message.offset, key: message.key?.toString() ?? null, headers: Object.keys(message.headers ?? {}) });
              if (got.length === 6) resolve();
            },
          })
          .catch(reject);
      });
      expect(got.map((m) => m.offset)).toEqual(['0', '1', '2', '3', '4', '5']);
      expect(got[0]).toEqual({ offset: '0', key: 'a-k0', headers: ['h1', 'h2'] });
      expect(got[4]!.key).toBeNull();
    } finally {
      await consumer.disconnect();
    }
  });

  it('an idempotent kafkajs producer (gzip) on an lz4 topic: stored lz4 with its producer id and sequences', async () => {
    await createTopic('cidem', { 'compression.type': 'lz4' });
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (const n of [0, 1]) {
        await producer.send({ topic: 'cidem', compression: CompressionTypes.GZIP, messages: [{ key: `k${n}a`, value: 'x'.repeat(300) }, { key: `k${n}b`, value: 'y' }] });
      }
    } finally {
      await producer.disconnect();
    }
    const stored = await storedBatches('cidem');
    expect(stored.map(codecOf)).toEqual([CompressionCodec.LZ4, CompressionCodec.LZ4]);
    const [h0, h1] = stored.map((b) => readBatchHeader(b));
    expect(h0!.producerId).toBeGreaterThanOrEqual(0n);
    expect([h0!.baseSequence, h1!.baseSequence, h1!.producerId]).toEqual([0, 2, h0!.producerId]);
    expect(view(Buffer.concat(stored)).map((r) => r.key?.toString())).toEqual(['k0a', 'k0b', 'k1a', 'k1b']);
  });

  it('a batch already in the target codec keeps its bytes', async () => {
    await createTopic('cz-same', { 'compression.type': 'zstd' });
    const zb = buildRecordBatch({ records: sampleRecords('z'), compression: CompressionCodec.ZSTD });
    expect((await produce(client, 'cz-same', 0, zb)).errorCode).toBe(0);
    const [stored] = await storedBatches('cz-same');
    expect(stored!.subarray(CRC)).toEqual(zb.subarray(CRC));
  });

  it('uncompressed topic stores an lz4 batch uncompressed; snappy topic writes xerial framing', async () => {
    await createTopic('cu', { 'compression.type': 'uncompressed' });
    const lz = buildRecordBatch({ records: sampleRecords('l'), compression: CompressionCodec.LZ4 });
    expect((await produce(client, 'cu', 0, lz)).errorCode).toBe(0);
    const [stored] = await storedBatches('cu');
    expect(codecOf(stored!)).toBe(CompressionCodec.NONE);
    expect(batchCrcValid(stored!, 0, stored!.length)).toBe(true);
    expect(view(stored!)).toEqual(view(lz));

    await createTopic('cs', { 'compression.type': 'snappy' });
    expect((await produce(client, 'cs', 0, buildRecordBatch({ records: sampleRecords('s') }))).errorCode).toBe(0);
    const [snappy] = await storedBatches('cs');
    expect(codecOf(snappy!)).toBe(CompressionCodec.SNAPPY);
    expect(isXerialSnappy(snappy!.subarray(RECORDS))).toBe(true);
    expect(view(snappy!).map((r) => r.key?.toString() ?? null)).toEqual(['s-k0', null, 's-k2']);
  });

  it('producer (the default) keeps the produced bytes except baseOffset and partitionLeaderEpoch', async () => {
    await createTopic('cp');
    const sent: Buffer[] = [];
    for (const compression of [CompressionCodec.NONE, CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD]) {
      const b = buildRecordBatch({ records: sampleRecords(`p${compression}`), compression });
      sent.push(Buffer.from(b));
      expect((await produce(client, 'cp', 0, b)).errorCode).toBe(0);
    }
    const stored = await storedBatches('cp');
    expect(stored).toHaveLength(sent.length);
    for (const [i, s] of stored.entries()) {
      expect(s.subarray(BATCH_LENGTH, 12)).toEqual(sent[i]!.subarray(BATCH_LENGTH, 12)); // batchLength
      expect(s.subarray(16)).toEqual(sent[i]!.subarray(16)); // magic, CRC, attributes, …, records
    }
  });

  it('a live compression.type change applies to the next produce (topics.setTopicConfigs and IncrementalAlterConfigs)', async () => {
    await createTopic('clive');
    const send = (tag: string) => produce(client, 'clive', 0, buildRecordBatch({ records: sampleRecords(tag), compression: CompressionCodec.GZIP }));
    expect((await send('1')).errorCode).toBe(0);
    expect((await broker.services.topics.setTopicConfigs('clive', [['compression.type', 'lz4']])).errorCode).toBe(0);
    expect((await send('2')).errorCode).toBe(0);
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      // kafkajs has no IncrementalAlterConfigs: AlterConfigs replaces the overrides, which is what we want here.
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'clive', configEntries: [{ name: 'compression.type', value: 'zstd' }] }] });
    } finally {
      await admin.disconnect();
    }
    expect((await send('3')).errorCode).toBe(0);
    const stored = await storedBatches('clive');
    expect(stored.map(codecOf)).toEqual([CompressionCodec.GZIP, CompressionCodec.LZ4, CompressionCodec.ZSTD]);
    expect(view(Buffer.concat(stored)).map((r) => r.key?.toString() ?? null)).toEqual(['1-k0', null, '1-k2', '2-k0', null, '2-k2', '3-k0', null, '3-k2']);
  });

  it('a decompression bomb is CORRUPT_MESSAGE; an expansion past max.message.bytes is MESSAGE_TOO_LARGE', async () => {
    await createTopic('cbomb', { 'compression.type': 'zstd' });
    const bomb = gzipSync(Buffer.alloc(80 << 20), { level: 9 });
    const b = Buffer.alloc(RECORDS + bomb.length);
    const template = buildRecordBatch({ records: [{ value: 'x', timestamp: Date.now() }] });
    template.copy(b, 0, 0, RECORDS);
    bomb.copy(b, RECORDS);
    b.writeInt32BE(b.length - LOG_OVERHEAD, BATCH_LENGTH);
    b.writeInt16BE(CompressionCodec.GZIP, ATTRIBUTES);
    b.writeUInt32BE(computeBatchCrc(b, 0, b.length), CRC);
    const r = await produce(client, 'cbomb', 0, b);
    expect(r.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(broker.services.storage.getPartition('cbomb', 0)!.logEndOffset()).toBe(0);

    await createTopic('cgrow', { 'compression.type': 'uncompressed', 'max.message.bytes': '5000' });
    const big = buildRecordBatch({ records: [{ value: 'y'.repeat(50_000), timestamp: Date.now() }], compression: CompressionCodec.GZIP });
    expect(big.length).toBeLessThan(5000);
    expect((await produce(client, 'cgrow', 0, big)).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });
});

describe('message.timestamp.before.max.ms / after.max.ms', () => {
  it('a record 2 h in the past with before.max.ms=1h is INVALID_TIMESTAMP with record_errors (v8+), nothing stored', async () => {
    await createTopic('tb', { 'message.timestamp.before.max.ms': String(HOUR) });
    const now = Date.now();
    for (const compression of [CompressionCodec.NONE, CompressionCodec.GZIP]) {
      const b = buildRecordBatch({ compression, records: [{ value: 'ok', timestamp: now }, { value: 'old', timestamp: now - 2 * HOUR }, { value: 'ok2', timestamp: now }] });
      const r = await produce(client, 'tb', 0, b, { version: 9 });
      expect(r.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
      expect(r.baseOffset).toBe(-1n);
      expect(r.logStartOffset).toBe(0n);
      expect(r.errorMessage).toBe('One or more records have been rejected due to invalid timestamp');
      expect(r.recordErrors).toHaveLength(1);
      expect(r.recordErrors[0]!.batchIndex).toBe(1);
      expect(r.recordErrors[0]!.batchIndexErrorMessage).toMatch(new RegExp(`^Timestamp ${now - 2 * HOUR} of message with offset 1 is out of range\\. The timestamp should be within \\[\\d+, \\d+\\]$`));
    }
    // Before v8 the fields do not exist: the code alone.
    const v7 = await produce(client, 'tb', 0, buildRecordBatch({ records: [{ value: 'old', timestamp: now - 2 * HOUR }] }), { version: 7 });
    expect(v7).toMatchObject({ errorCode: ErrorCode.INVALID_TIMESTAMP, recordErrors: [], errorMessage: null });
    expect(broker.services.storage.getPartition('tb', 0)!.logEndOffset()).toBe(0);

    // Within bounds (and records without a timestamp): accepted.
    const ok = await produce(client, 'tb', 0, buildRecordBatch({ compression: CompressionCodec.GZIP, records: [{ value: 'a', timestamp: now - HOUR / 2 }, { value: 'b', timestamp: -1 }] }));
    expect(ok).toMatchObject({ errorCode: 0, baseOffset: 0n, recordErrors: [], errorMessage: null });
  });

  it('after.max.ms: the default 1 h rejects a record 2 h in the future; an explicit bound is honoured', async () => {
    await createTopic('ta');
    const future = Date.now() + 2 * HOUR;
    const r = await produce(client, 'ta', 0, buildRecordBatch({ records: [{ value: 'now', timestamp: Date.now() }, { value: 'future', timestamp: future }] }));
    expect(r.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(r.recordErrors.map((e) => e.batchIndex)).toEqual([1]);
    await createTopic('ta-wide', { 'message.timestamp.after.max.ms': String(3 * HOUR) });
    expect((await produce(client, 'ta-wide', 0, buildRecordBatch({ records: [{ value: 'future', timestamp: future }] }))).errorCode).toBe(0);
  });

  it('a LogAppendTime topic ignores the bounds', async () => {
    await createTopic('tl', { 'message.timestamp.type': 'LogAppendTime', 'message.timestamp.before.max.ms': String(HOUR), 'message.timestamp.after.max.ms': '0' });
    const r = await produce(client, 'tl', 0, buildRecordBatch({ records: [{ value: 'old', timestamp: Date.now() - 5 * HOUR }, { value: 'new', timestamp: Date.now() + 5 * HOUR }] }));
    expect(r.errorCode).toBe(0);
    expect(r.logAppendTimeMs).toBeGreaterThan(0n);
  });

  it('a producer batch with the LogAppendTime bit is INVALID_TIMESTAMP on a LogAppendTime topic (as Kafka)', async () => {
    await createTopic('tl-bit', { 'message.timestamp.type': 'LogAppendTime' });
    const b = buildRecordBatch({ timestampType: 1, defaultTimestamp: Date.now(), records: [{ key: 'k', value: 'abc' }, { value: 'd' }] });
    const r = await produce(client, 'tl-bit', 0, b);
    expect(r.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(r.recordErrors.map((e) => e.batchIndex)).toEqual([0, 1]);
    expect(r.recordErrors[0]!.batchIndexErrorMessage).toMatch(/^Invalid timestamp type in message DefaultRecord\(offset=0, timestamp=\d+, key=1 bytes, value=3 bytes\)\. Producer should not set timestamp type to LogAppendTime\.$/);
    expect(broker.services.storage.getPartition('tl-bit', 0)!.logEndOffset()).toBe(0);
  });

  it('bounds and re-compression together: the records are decompressed once and the result stored as the topic codec', async () => {
    await createTopic('tbz', { 'message.timestamp.before.max.ms': String(HOUR), 'compression.type': 'zstd' });
    const now = Date.now();
    expect((await produce(client, 'tbz', 0, buildRecordBatch({ compression: CompressionCodec.GZIP, records: [{ value: 'old', timestamp: now - 2 * HOUR }] }))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect((await produce(client, 'tbz', 0, buildRecordBatch({ compression: CompressionCodec.GZIP, records: sampleRecords('t', now) }))).errorCode).toBe(0);
    const [stored] = await storedBatches('tbz');
    expect(codecOf(stored!)).toBe(CompressionCodec.ZSTD);
  });
});

describe('record_errors for keyless records on a compacted topic', () => {
  it('lists each keyless record with Kafka\'s message (v8+)', async () => {
    await createTopic('kc', { 'cleanup.policy': 'compact' });
    const r = await produce(client, 'kc', 0, buildRecordBatch({ records: [{ key: 'k', value: 'a' }, { value: 'b' }, { value: 'c' }] }), { version: 9 });
    expect(r.errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(r.recordErrors).toEqual([
      { batchIndex: 1, batchIndexErrorMessage: 'Compacted topic cannot accept message without key in topic partition kc-0' },
      { batchIndex: 2, batchIndexErrorMessage: 'Compacted topic cannot accept message without key in topic partition kc-0' },
    ]);
    expect(r.errorMessage).toBe(
      "One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='Compacted topic cannot accept message without key in topic partition kc-0'), RecordError(batchIndex=2, message='Compacted topic cannot accept message without key in topic partition kc-0')]",
    );
    const v7 = await produce(client, 'kc', 0, buildRecordBatch({ records: [{ value: 'b' }] }), { version: 7 });
    expect(v7.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});
