/**
 * Fuzz: random and mutated bytes into every decoder. Only RecordsError / CompressionError may escape
 * (validateBatchForAppend and batches() must not throw at all), each call stays fast, and outputs stay
 * within the decompression limit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompressionError, compress, decompress } from '../../src/protocol/compression/index.js';
import {
  RecordsError, batches, buildRecordBatch, computeBatchCrc, CRC, convertLegacyToV2, convertV2ToLegacy,
  decodeRecordBatch, readMessageSet, validateBatchForAppend, writeMessageSet,
} from '../../src/protocol/records/index.js';

const LIMIT = 1 << 20;
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

function onlyOurErrors(fn: () => unknown): void {
  const t0 = performance.now();
  try {
    fn();
  } catch (e) {
    if (!(e instanceof RecordsError || e instanceof CompressionError)) throw e;
  }
  expect(performance.now() - t0).toBeLessThan(500);
}

const seeds = (() => {
  const recs = [
    { key: 'k', value: 'value-1', timestamp: 1, headers: { a: 'b' } },
    { key: null, value: 'x'.repeat(300), timestamp: 2 },
  ];
  return [0, 1, 2, 3, 4].map((compression) => buildRecordBatch({ compression, records: recs }));
})();
const legacySeeds = [0, 1, 2, 3].flatMap((compression) =>
  ([0, 1] as const).map((magic) =>
    writeMessageSet([{ offset: 0, key: Buffer.from('k'), value: Buffer.from('v'.repeat(100)), timestamp: 5 }, { offset: 1, key: null, value: null }], { magic, compression })),
);

/** A seed with a few bytes overwritten, optionally truncated; CRC recomputed so decoding goes past it. */
const mutated = (pool: Buffer[], fixCrc: boolean) =>
  fc.tuple(fc.nat(pool.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 6 }), fc.option(fc.nat()))
    .map(([i, edits, cut]) => {
      const b = Buffer.from(pool[i]!);
      for (const [pos, val] of edits) b[pos % b.length] = val;
      const out = cut === null ? b : b.subarray(0, cut % (b.length + 1));
      if (fixCrc && out.length >= 61 && out[16] === 2) {
        const size = Math.min(out.length, 12 + out.readInt32BE(8));
        if (size >= 61) out.writeUInt32BE(computeBatchCrc(out, 0, size), CRC);
      }
      return out;
    });

const bytes = fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u));

describe('fuzz: v2 batches', () => {
  it('random bytes', () => {
    fc.assert(fc.property(bytes, (b) => {
      expect(() => validateBatchForAppend(b)).not.toThrow();
      expect(() => [...batches(b)]).not.toThrow();
      onlyOurErrors(() => decodeRecordBatch(b, 0, { maxUncompressedBytes: LIMIT }));
      onlyOurErrors(() => convertV2ToLegacy(b, 1, { maxUncompressedBytes: LIMIT }));
    }), { numRuns: RUNS });
  });
  it('mutated valid batches (CRC fixed up so the record decoder is reached)', () => {
    fc.assert(fc.property(mutated(seeds, true), (b) => {
      expect(() => validateBatchForAppend(b)).not.toThrow();
      onlyOurErrors(() => decodeRecordBatch(b, 0, { maxUncompressedBytes: LIMIT }));
      onlyOurErrors(() => convertV2ToLegacy(b, 0, { maxUncompressedBytes: LIMIT }));
    }), { numRuns: RUNS });
  });
});

describe('fuzz: legacy message sets', () => {
  it('random and mutated bytes', () => {
    fc.assert(fc.property(fc.oneof(bytes, mutated(legacySeeds, false)), (b) => {
      onlyOurErrors(() => readMessageSet(b, { maxUncompressedBytes: LIMIT, verifyCrc: false }));
      onlyOurErrors(() => convertLegacyToV2(b, { maxUncompressedBytes: LIMIT, verifyCrc: false }));
    }), { numRuns: RUNS });
  });
});

describe('fuzz: decompressors', () => {
  const fixtures = join(import.meta.dirname, '../fixtures/compression');
  const payload = readFileSync(join(fixtures, 'payload.bin')).subarray(0, 4096);
  for (const codec of [1, 2, 3, 4]) {
    const pool = [compress(codec, payload), compress(codec, Buffer.alloc(20000))];
    if (codec === 2) pool.push(compress(2, payload, { snappyFraming: 'raw' }));
    if (codec === 3) pool.push(compress(3, payload, { lz4BrokenHeaderChecksum: true }));
    it(`codec ${codec}: random and mutated input`, () => {
      fc.assert(fc.property(fc.oneof(bytes, mutated(pool, false)), (b) => {
        onlyOurErrors(() => {
          const out = decompress(codec, b, LIMIT);
          expect(out.length).toBeLessThanOrEqual(LIMIT);
        });
      }), { numRuns: RUNS });
    });
  }
});
