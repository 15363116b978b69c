/** Test helpers: minimal valid v2 record batches and engine factories. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CRC,
  LOG_OVERHEAD,
  computeBatchCrc,
  entrySize,
  readBatchHeader,
  batchCrcValid,
} from '../../src/protocol/records/batch-header.js';
import type { AppendBatch } from '../../src/storage/engine.js';

function varint(n: number, out: number[]): void {
  let z = (n << 1) ^ (n >> 31); // zigzag
  z >>>= 0;
  while (z > 0x7f) {
    out.push((z & 0x7f) | 0x80);
    z >>>= 7;
  }
  out.push(z);
}

/** A v2 batch with `count` records, each with a `valueSize`-byte value and timestamps from `timestamp`. */
export function makeBatch(opts: { count?: number; valueSize?: number; timestamp?: number; fill?: number } = {}): AppendBatch {
  const count = opts.count ?? 1;
  const valueSize = opts.valueSize ?? 10;
  const ts = opts.timestamp ?? 1_000;
  const records: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const body: number[] = [0]; // attributes
    varint(i, body); // timestampDelta
    varint(i, body); // offsetDelta
    varint(-1, body); // key: null
    varint(valueSize, body);
    const value = Buffer.alloc(valueSize, (opts.fill ?? 0x61) + (i % 26));
    const tail: number[] = [];
    varint(0, tail); // headers
    const len: number[] = [];
    varint(body.length + valueSize + tail.length, len);
    records.push(Buffer.from(len), Buffer.from(body), value, Buffer.from(tail));
  }
  const recs = Buffer.concat(records);
  const buf = Buffer.alloc(61 + recs.length);
  buf.writeBigInt64BE(0n, 0);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, 8);
  buf.writeInt32BE(-1, 12);
  buf.writeInt8(2, 16);
  buf.writeInt16BE(0, 21);
  buf.writeInt32BE(count - 1, 23);
  buf.writeBigInt64BE(BigInt(ts), 27);
  buf.writeBigInt64BE(BigInt(ts + count - 1), 35);
  buf.writeBigInt64BE(-1n, 43);
  buf.writeInt16BE(-1, 51);
  buf.writeInt32BE(-1, 53);
  buf.writeInt32BE(count, 57);
  recs.copy(buf, 61);
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), CRC);
  return { buf, offsetCount: count, maxTimestamp: ts + count - 1 };
}

export interface ParsedBatch {
  baseOffset: number;
  lastOffset: number;
  epoch: number;
  size: number;
  crcOk: boolean;
}

/** Splits read chunks into batches (every chunk must hold whole batches). */
export function parseChunks(chunks: Buffer[]): ParsedBatch[] {
  const out: ParsedBatch[] = [];
  for (const c of chunks) {
    let p = 0;
    while (p < c.length) {
      const size = entrySize(c, p);
      if (size < 0 || p + size > c.length) throw new Error(`partial batch at ${p} of ${c.length}`);
      const h = readBatchHeader(c, p);
      out.push({
        baseOffset: Number(h.baseOffset),
        lastOffset: Number(h.baseOffset) + h.lastOffsetDelta,
        epoch: h.partitionLeaderEpoch,
        size,
        crcOk: batchCrcValid(c, p, size),
      });
      p += size;
    }
  }
  return out;
}

export function tempDir(prefix = 'brook-storage-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export class Clock {
  constructor(public t = 10_000_000) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}
