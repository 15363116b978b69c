// Codec throughput, against dist/ (run `npm run build` first):  node bench/codec.mjs
//  - decode a ~1 MiB Produce v9 request (v2 batches of 1 KiB records, ~16 KiB each) and check every batch's CRC-32C
//  - encode a ~1 MiB Fetch v13 response whose records are stored batches written by reference
//  - CRC-32C: @node-rs/crc32 (native) vs crc-32/crc32c (pure JS)
//  - int64 as bigint vs as a (possibly unsafe) number
import { createRequire } from 'node:module';
import * as P from '../dist/protocol/index.js';
import { batchCrcValid, entrySize } from '../dist/protocol/records/batch-header.js';
import { crc32c } from '../dist/protocol/records/crc32c.js';

const require = createRequire(import.meta.url);
const CRC32C_JS = require('crc-32/crc32c');

const RECORD = 1024;
const PER_BATCH = 16;
const PARTITIONS = 8;
const BATCHES_PER_PARTITION = 8;

function uvarint(n) {
  const out = [];
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
  out.push(n);
  return out;
}
const zz = (n) => uvarint(((n << 1) ^ (n >> 31)) >>> 0);

/** One v2 batch of `count` records of `size` bytes (no key, no headers), CRC-32C filled in. */
function batch(baseOffset, count, size) {
  const records = [];
  for (let i = 0; i < count; i++) {
    const body = Buffer.concat([Buffer.from([0, ...zz(0), ...zz(i), ...zz(-1), ...zz(size)]), Buffer.alloc(size, 97 + (i % 26)), Buffer.from(zz(0))]);
    records.push(Buffer.from(zz(body.length)), body);
  }
  const recs = Buffer.concat(records);
  const b = Buffer.alloc(61 + recs.length);
  b.writeBigInt64BE(BigInt(baseOffset), 0);
  b.writeInt32BE(b.length - 12, 8);
  b.writeInt32BE(0, 12);
  b.writeInt8(2, 16);
  b.writeInt16BE(0, 21);
  b.writeInt32BE(count - 1, 23);
  b.writeBigInt64BE(1700000000000n, 27);
  b.writeBigInt64BE(1700000000000n, 35);
  b.writeBigInt64BE(-1n, 43);
  b.writeInt16BE(-1, 51);
  b.writeInt32BE(-1, 53);
  b.writeInt32BE(count, 57);
  recs.copy(b, 61);
  b.writeUInt32BE(crc32c(b, 21, b.length), 17);
  return b;
}

function timeIt(label, bytesPerOp, fn, minMs = 1500) {
  for (let i = 0; i < 50; i++) fn(); // warm up
  let ops = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (let i = 0; i < 20; i++) fn();
    ops += 20;
    t = performance.now();
  }
  const s = (t - t0) / 1000;
  const mbs = (bytesPerOp * ops) / s / 1e6;
  console.log(`${label.padEnd(58)} ${mbs.toFixed(0).padStart(7)} MB/s ${(ops / s).toFixed(0).padStart(9)} ops/s`);
  return mbs;
}

// ---- Produce v9 request decode + CRC check of every batch
const stored = [];
for (let p = 0; p < PARTITIONS; p++) {
  const list = [];
  for (let i = 0; i < BATCHES_PER_PARTITION; i++) list.push(batch(i * PER_BATCH, PER_BATCH, RECORD));
  stored.push(list);
}
const w = new P.Writer();
P.encodeRequestFrame(w, P.Produce, 9, 1, 'bench', {
  acks: -1,
  timeoutMs: 30000,
  topicData: [{ name: 'bench-topic', partitionData: stored.map((list, i) => ({ index: i, records: list })) }],
});
const produceWire = w.toBuffer();
const produceFrame = produceWire.subarray(4);
let batches = 0;
timeIt(`decode Produce v9 ${(produceWire.length / 1048576).toFixed(2)} MiB + CRC-32C of each batch`, produceWire.length, () => {
  const f = P.decodeRequestFrame(produceFrame);
  batches = 0;
  for (const t of f.body.topicData) {
    for (const p of t.partitionData) {
      const r = p.records;
      for (let pos = 0; pos < r.length; ) {
        const n = entrySize(r, pos);
        if (n < 0 || pos + n > r.length || !batchCrcValid(r, pos, n)) throw new Error('bad batch');
        pos += n;
        batches++;
      }
    }
  }
});
timeIt('decode Produce v9 without CRC (codec only)', produceWire.length, () => P.decodeRequestFrame(produceFrame));
console.log(`  (${batches} batches of ${stored[0][0].length} bytes)`);

// ---- Fetch v13 response encode, records by reference
const fw = new P.Writer();
const fetchBody = {
  responses: [{
    topicId: '5f3a0c9e2b7d4e61a8c4d2f0e1b3a597',
    partitions: stored.map((list, i) => ({ partitionIndex: i, highWatermark: 1000n, lastStableOffset: 1000n, logStartOffset: 0n, records: list })),
  }],
};
let fetchBytes = 0;
P.encodeResponseFrame(fw, P.Fetch, 13, 1, fetchBody);
for (const c of fw.finish()) fetchBytes += c.length;
fw.reset();
timeIt(`encode Fetch v13 ${(fetchBytes / 1048576).toFixed(2)} MiB (chunks, records by reference)`, fetchBytes, () => {
  fw.reset();
  P.encodeResponseFrame(fw, P.Fetch, 13, 1, fetchBody);
  fw.finish();
});
timeIt('encode Fetch v13 + toBuffer() (one copy)', fetchBytes, () => {
  fw.reset();
  P.encodeResponseFrame(fw, P.Fetch, 13, 1, fetchBody);
  fw.toBuffer();
});

// ---- small messages: ops/s
const meta = { brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }], clusterId: 'c', controllerId: 1,
  topics: [{ name: 'bench-topic', topicId: '5f3a0c9e2b7d4e61a8c4d2f0e1b3a597', partitions: Array.from({ length: 8 }, (_, i) => ({ partitionIndex: i, leaderId: 1, replicaNodes: [1], isrNodes: [1] })) }] };
fw.reset();
P.encodeResponseFrame(fw, P.Metadata, 12, 1, meta);
const metaLen = fw.toBuffer().length;
timeIt('encode Metadata v12 response (1 topic, 8 partitions)', metaLen, () => { fw.reset(); P.encodeResponseFrame(fw, P.Metadata, 12, 1, meta); fw.finish(); }, 800);
const hb = new P.Writer();
P.encodeRequestFrame(hb, P.Heartbeat, 4, 7, 'bench', { groupId: 'g', generationId: 1, memberId: 'member-1' });
const hbFrame = hb.toBuffer().subarray(4);
timeIt('decode Heartbeat v4 request frame', hbFrame.length, () => P.decodeRequestFrame(hbFrame), 800);

// ---- CRC-32C: native vs pure JS
const blob = Buffer.alloc(1 << 20, 7);
if ((crc32c(blob) >>> 0) !== (CRC32C_JS.buf(blob) >>> 0)) throw new Error('crc mismatch');
timeIt('CRC-32C 1 MiB, @node-rs/crc32 (native, SSE4.2)', blob.length, () => crc32c(blob), 800);
timeIt('CRC-32C 1 MiB, crc-32/crc32c (pure JS)', blob.length, () => CRC32C_JS.buf(blob), 800);

// ---- int64 representation: bigint (kept) vs number
const N = 1 << 17;
const ints = Buffer.alloc(N * 8);
for (let i = 0; i < N; i++) ints.writeBigInt64BE(BigInt(i) * 1000003n, i * 8);
let sink = 0n;
let sinkN = 0;
const big = timeIt(`decode ${N} int64 as bigint (Reader.int64)`, ints.length, () => {
  const r = new P.Reader(ints);
  for (let i = 0; i < N; i++) sink += r.int64() & 1n;
}, 800);
const num = timeIt(`decode ${N} int64 as number (hi * 2^32 + lo, unsafe > 2^53)`, ints.length, () => {
  for (let i = 0, p = 0; i < N; i++, p += 8) sinkN += (ints.readInt32BE(p) * 4294967296 + ints.readUInt32BE(p + 4)) & 1;
}, 800);
const ew = new P.Writer(N * 8 + 64);
const bigs = Array.from({ length: N }, (_, i) => BigInt(i) * 1000003n);
const bigEnc = timeIt(`encode ${N} int64 from bigint (Writer.int64)`, ints.length, () => { ew.reset(); for (let i = 0; i < N; i++) ew.int64(bigs[i]); }, 800);
console.log(`int64: number decode is ${(num / big).toFixed(1)}x bigint; bigint encode ${bigEnc.toFixed(0)} MB/s (${sink > 0n || sinkN > 0 ? 'ok' : ''})`);
