import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import {
  ControlRecordType, LOG_APPEND_TIME, RecordsError, batches, buildEndTxnMarkerBatch, buildRecordBatch, crc32c,
  decodeRecordBatch, encodeRecordBatch, forEachBatch, iterateRecords, parseControlRecord, produceErrorForVersion,
  readBatchHeader, validateBatchForAppend,
} from '../../src/protocol/records/index.js';

const require = createRequire(import.meta.url);
const { RecordBatch: KjsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const KjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const KjsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
const KjsDecoder = require('kafkajs/src/protocol/decoder.js');
const KjsLong = require('kafkajs/src/utils/long.js');

async function kafkajsBatch(opts: { compression?: number; transactional?: boolean; records: Array<Record<string, unknown>> }) {
  const enc = await KjsRecordBatch({
    compression: opts.compression ?? 0,
    firstOffset: KjsLong.fromInt(0),
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_123,
    partitionLeaderEpoch: 7,
    lastOffsetDelta: opts.records.length - 1,
    transactional: opts.transactional ?? false,
    producerId: KjsLong.fromValue(4242),
    producerEpoch: 3,
    firstSequence: 10,
    records: opts.records.map((r, i) => KjsRecord({ offsetDelta: i, ...r })),
  });
  return enc.buffer as Buffer;
}

const sample = [
  { key: Buffer.from('k1'), value: Buffer.from('v1'), timestampDelta: 0, headers: { h: Buffer.from('x') } },
  { key: null, value: Buffer.from('second value'), timestampDelta: 123 },
  { key: Buffer.from(''), value: null, timestampDelta: 5, headers: { a: Buffer.from('1'), b: Buffer.from('22') } },
];

describe('CRC-32C', () => {
  it('standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});

describe('v2 record batch vs kafkajs', () => {
  for (const compression of [0, 1]) {
    it(`decodes kafkajs batches and re-encodes byte for byte (codec ${compression})`, async () => {
      const bytes = await kafkajsBatch({ compression, records: sample });
      expect(validateBatchForAppend(bytes, 0, { fromClient: false })).toBe(ErrorCode.NONE);
      const { batch, size } = decodeRecordBatch(bytes);
      expect(size).toBe(bytes.length);
      expect(batch.partitionLeaderEpoch).toBe(7);
      expect(batch.producerId).toBe(4242n);
      expect(batch.baseSequence).toBe(10);
      expect(batch.compression).toBe(compression);
      expect(batch.records.map((r) => r.key?.toString() ?? null)).toEqual(['k1', null, '']);
      expect(batch.records.map((r) => r.value?.toString() ?? null)).toEqual(['v1', 'second value', null]);
      expect(batch.records[1]!.timestamp).toBe(1_700_000_000_123n);
      expect(batch.records[2]!.headers.map((h) => [h.key, h.value!.toString()])).toEqual([['a', '1'], ['b', '22']]);
      if (compression === 0) {
        expect(encodeRecordBatch(batch)).toEqual(bytes);
      } else {
        // gzip output differs between implementations; the uncompressed re-encode must match kafkajs's.
        const plain = await kafkajsBatch({ compression: 0, records: sample });
        expect(encodeRecordBatch({ ...batch, attributes: batch.attributes & ~7 })).toEqual(plain);
      }
    });
  }

  it('kafkajs decodes our batches', async () => {
    for (const compression of [0, 1]) {
      const ours = buildRecordBatch({
        baseOffset: 100, compression, producerId: 9, producerEpoch: 1, baseSequence: 0, transactional: true,
        records: [
          { key: 'a', value: 'one', timestamp: 1000, headers: { trace: 'abc' } },
          { key: null, value: 'two', timestamp: 1005 },
        ],
      });
      const decoded = await KjsDecodeBatch(new KjsDecoder(ours));
      expect(decoded.firstOffset).toBe('100');
      expect(decoded.inTransaction).toBe(true);
      expect(decoded.records.map((r: { value: Buffer }) => r.value.toString())).toEqual(['one', 'two']);
      expect(decoded.records.map((r: { offset: string }) => r.offset)).toEqual(['100', '101']);
      expect(decoded.records[1].timestamp).toBe('1005');
      expect(decoded.records[0].headers.trace.toString()).toBe('abc');
      expect(readBatchHeader(ours).maxTimestamp).toBe(1005n);
    }
  });
});

describe('v2 record batch', () => {
  it('iterates uncompressed records without copying', () => {
    const buf = buildRecordBatch({ records: [{ key: 'key', value: 'value' }] });
    const [rec] = [...iterateRecords(buf)];
    expect(rec!.value!.buffer).toBe(buf.buffer);
    rec!.value![0] = 0x56; // 'V'
    expect(buf.includes(Buffer.from('Value'))).toBe(true);
  });

  it('LogAppendTime records take the batch maxTimestamp', () => {
    const buf = buildRecordBatch({ timestampType: LOG_APPEND_TIME, defaultTimestamp: 5000, records: [{ value: 'x', timestamp: 1 }] });
    expect([...iterateRecords(buf)][0]!.timestamp).toBe(5000n);
  });

  it('control batches: COMMIT/ABORT markers', () => {
    const buf = buildEndTxnMarkerBatch({ producerId: 77n, producerEpoch: 2, commit: true, coordinatorEpoch: 5, timestamp: 10 });
    const { batch } = decodeRecordBatch(buf);
    expect(batch.isControl && batch.isTransactional).toBe(true);
    expect(parseControlRecord(batch.records[0]!)).toEqual({ version: 0, type: ControlRecordType.COMMIT, coordinatorEpoch: 5 });
    // Clients may not write control batches.
    expect(validateBatchForAppend(buf)).toBe(ErrorCode.INVALID_RECORD);
    expect(validateBatchForAppend(buf, 0, { fromClient: false })).toBe(ErrorCode.NONE);
  });

  it('detects corruption', () => {
    const buf = buildRecordBatch({ records: [{ value: 'hello' }, { value: 'world' }] });
    expect(validateBatchForAppend(buf)).toBe(ErrorCode.NONE);
    const flipped = Buffer.from(buf);
    flipped[flipped.length - 2] ^= 1;
    expect(validateBatchForAppend(flipped)).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(() => decodeRecordBatch(flipped)).toThrow(RecordsError);
    expect(validateBatchForAppend(buf.subarray(0, buf.length - 1))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(validateBatchForAppend(buf, 0, { maxBatchBytes: 20 })).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it('client checks from LogValidator', () => {
    const at = (o: Parameters<typeof buildRecordBatch>[0]) => validateBatchForAppend(buildRecordBatch(o));
    expect(at({ records: [{ value: 'a' }, { value: 'b', offsetDelta: 5 }] })).toBe(ErrorCode.INVALID_RECORD);
    expect(at({ producerId: 5, baseSequence: -1, records: [{ value: 'a' }] })).toBe(ErrorCode.INVALID_RECORD);
    expect(at({ producerId: 5, baseSequence: 0, records: [{ value: 'a' }] })).toBe(ErrorCode.NONE);
    expect(at({ baseOffset: 3, records: [{ value: 'a' }] })).toBe(ErrorCode.INVALID_RECORD);
    expect(produceErrorForVersion(ErrorCode.INVALID_RECORD, 7)).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(produceErrorForVersion(ErrorCode.INVALID_RECORD, 8)).toBe(ErrorCode.INVALID_RECORD);
  });

  it('record count larger than the bytes can hold is rejected without decoding', () => {
    const buf = encodeRecordBatch({
      ...decodeRecordBatch(buildRecordBatch({ records: [{ value: 'a' }] })).batch,
      recordCount: 1000, lastOffsetDelta: 999,
    });
    expect(validateBatchForAppend(buf)).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(() => decodeRecordBatch(buf)).toThrow(RecordsError);
  });

  it('walks a records blob and reports a trailing partial batch', () => {
    const a = buildRecordBatch({ records: [{ value: 'a' }] });
    const b = buildRecordBatch({ baseOffset: 1, records: [{ value: 'bb' }, { value: 'cc' }] });
    const blob = Buffer.concat([a, b, b.subarray(0, 30)]);
    const spans = [...batches(blob)];
    expect(spans.map((s) => [s.pos, s.size, s.magic, s.partial])).toEqual([
      [0, a.length, 2, false], [a.length, b.length, 2, false], [a.length + b.length, 30, 2, true],
    ]);
    const seen: number[] = [];
    expect(forEachBatch(blob, (pos) => seen.push(pos))).toBe(a.length + b.length);
    expect(seen).toEqual([0, a.length]);
  });
});
