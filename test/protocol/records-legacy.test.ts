import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CompressionCodec } from '../../src/protocol/compression/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import {
  RecordsError, buildEndTxnMarkerBatch, buildRecordBatch, convertLegacyToV2, convertV2ToLegacy, crc32ieee,
  decodeRecordBatch, readMessageSet, validateBatchForAppend, writeMessageSet,
} from '../../src/protocol/records/index.js';

const require = createRequire(import.meta.url);
const KjsMessageSet = require('kafkajs/src/protocol/messageSet/index.js');
const KjsMessageSetDecoder = require('kafkajs/src/protocol/messageSet/decoder.js');
const KjsDecoder = require('kafkajs/src/protocol/decoder.js');
const kjsGzip = require('kafkajs/src/protocol/message/compression/gzip.js');

const entries = [
  { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: 1_600_000_000_000 },
  { key: null, value: Buffer.from('v1'), timestamp: 1_600_000_000_010 },
  { key: Buffer.from('k2'), value: null, timestamp: 1_600_000_000_005 },
];

function kafkajsSet(magic: 0 | 1, compression: number): Promise<Buffer> | Buffer {
  const plain = KjsMessageSet({ messageVersion: magic, compression: 0, entries }).buffer as Buffer;
  if (compression === 0) return plain;
  // kafkajs's Produce v0–v2 wraps a compressed set like this (offset 0 wrapper, gzip of inner set).
  const inner = KjsMessageSet({ messageVersion: magic, compression, entries }).buffer as Buffer;
  return kjsGzip.compress({ buffer: inner }).then((value: Buffer) =>
    KjsMessageSet({ messageVersion: magic, compression: 0, entries: [{ key: null, value, compression, timestamp: 1_600_000_000_010 }] })
      .buffer as Buffer);
}

const str = (b: Buffer | null) => b?.toString() ?? null;

describe('legacy message sets (magic 0/1)', () => {
  it('CRC-32 (IEEE) check value', () => {
    expect(crc32ieee(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  for (const magic of [0, 1] as const) {
    it(`reads kafkajs v${magic} sets, plain and gzip, CRCs verified`, async () => {
      for (const compression of [0, 1]) {
        const msgs = readMessageSet(await kafkajsSet(magic, compression));
        expect(msgs.map((m) => [str(m.key), str(m.value)])).toEqual([['k0', 'v0'], [null, 'v1'], ['k2', null]]);
        expect(msgs.map((m) => m.timestamp)).toEqual(magic === 1 ? entries.map((e) => BigInt(e.timestamp)) : [-1n, -1n, -1n]);
      }
    });

    it(`writes v${magic} byte for byte like kafkajs (uncompressed)`, () => {
      const ours = writeMessageSet(entries.map((e) => ({ ...e, offset: -1 })), { magic });
      expect(ours.equals(KjsMessageSet({ messageVersion: magic, compression: 0, entries }).buffer)).toBe(true);
    });

    it(`kafkajs reads our v${magic} sets (plain, gzip) with absolute offsets`, async () => {
      for (const compression of [0, 1]) {
        const ours = writeMessageSet(entries.map((e, i) => ({ ...e, offset: 50 + i })), { magic, compression });
        const decoded = await KjsMessageSetDecoder(new KjsDecoder(ours), ours.length);
        expect(decoded.map((m: { value: Buffer | null }) => str(m.value))).toEqual(['v0', 'v1', null]);
        expect(decoded.map((m: { offset: unknown }) => String(m.offset))).toEqual(['50', '51', '52']);
        expect(readMessageSet(ours).map((m) => m.offset)).toEqual([50n, 51n, 52n]);
      }
    });
  }

  it('v1 compressed wrappers: inner offsets relative, wrapper holds the last absolute offset', () => {
    const set = writeMessageSet(entries.map((e, i) => ({ ...e, offset: 1000 + i })), { magic: 1, compression: CompressionCodec.SNAPPY });
    expect(set.readBigInt64BE(0)).toBe(1002n);
    expect(readMessageSet(set).map((m) => m.offset)).toEqual([1000n, 1001n, 1002n]);
  });

  it('rejects a flipped bit (CRC), nested compression and zstd', () => {
    const set = writeMessageSet(entries.map((e, i) => ({ ...e, offset: i })), { magic: 1 });
    const bad = Buffer.from(set);
    bad[bad.length - 1] ^= 1;
    expect(() => readMessageSet(bad)).toThrow(RecordsError);
    expect(() => writeMessageSet([{ offset: 0, key: null, value: Buffer.from('x') }], { magic: 1, compression: 4 })).toThrow(RecordsError);
  });

  it('magic 0 lz4 wrappers use the KAFKA-3160 header checksum and read back', () => {
    const set = writeMessageSet(entries.map((e, i) => ({ ...e, offset: i })), { magic: 0, compression: CompressionCodec.LZ4 });
    expect(readMessageSet(set).map((m) => str(m.value))).toEqual(['v0', 'v1', null]);
  });
});

describe('conversion', () => {
  it('legacy (kafkajs v0/v1, plain and gzip) → v2 keeps keys, values, timestamps', async () => {
    for (const magic of [0, 1] as const) {
      for (const compression of [0, 1]) {
        const v2 = convertLegacyToV2(await kafkajsSet(magic, compression))!;
        expect(validateBatchForAppend(v2)).toBe(ErrorCode.NONE);
        const { batch } = decodeRecordBatch(v2);
        expect(batch.compression).toBe(compression);
        expect(batch.records.map((r) => [str(r.key), str(r.value)])).toEqual([['k0', 'v0'], [null, 'v1'], ['k2', null]]);
        expect(batch.records.map((r) => r.offset)).toEqual([0n, 1n, 2n]);
        expect(batch.records.map((r) => r.timestamp)).toEqual(magic === 1 ? entries.map((e) => BigInt(e.timestamp)) : [-1n, -1n, -1n]);
        if (magic === 1) expect(batch.maxTimestamp).toBe(1_600_000_000_010n);
      }
    }
  });

  it('legacy → v2 preserves strictly increasing offsets', () => {
    const set = writeMessageSet(entries.map((e, i) => ({ ...e, offset: 7 + 2 * i })), { magic: 1, compression: CompressionCodec.LZ4 });
    const { batch } = decodeRecordBatch(convertLegacyToV2(set)!);
    expect(batch.records.map((r) => r.offset)).toEqual([7n, 9n, 11n]);
    expect(batch.lastOffsetDelta).toBe(4);
  });

  it('v2 → v1/v0 for old fetchers: offsets, timestamps, codecs; control batches dropped', async () => {
    for (const compression of [0, 1, 2, 3]) {
      const blob = Buffer.concat([
        buildRecordBatch({ baseOffset: 100, compression, records: entries.map((e) => ({ ...e, headers: { h: 'dropped' } })) }),
        buildEndTxnMarkerBatch({ baseOffset: 103, producerId: 1, producerEpoch: 0, commit: true, coordinatorEpoch: 0, timestamp: 1 }),
        buildRecordBatch({ baseOffset: 104, compression, records: [{ value: 'last', timestamp: 1_600_000_000_020 }] }).subarray(0, 40),
      ]);
      for (const magic of [0, 1] as const) {
        const legacy = convertV2ToLegacy(blob, magic);
        const msgs = readMessageSet(legacy);
        expect(msgs.map((m) => m.offset)).toEqual([100n, 101n, 102n]);
        expect(msgs.map((m) => str(m.value))).toEqual(['v0', 'v1', null]);
        expect(msgs.every((m) => m.magic === magic)).toBe(true);
        if (magic === 1) expect(msgs.map((m) => m.timestamp)).toEqual(entries.map((e) => BigInt(e.timestamp)));
        if (compression <= 1) {
          const kjs = await KjsMessageSetDecoder(new KjsDecoder(legacy), legacy.length);
          expect(kjs.map((m: { offset: unknown }) => String(m.offset))).toEqual(['100', '101', '102']);
        }
      }
    }
  });

  it('zstd batches cannot go below magic 2', () => {
    const blob = buildRecordBatch({ compression: CompressionCodec.ZSTD, records: [{ value: 'z' }] });
    try {
      convertV2ToLegacy(blob, 1);
      expect.unreachable();
    } catch (e) {
      expect((e as RecordsError).errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    }
  });
});
