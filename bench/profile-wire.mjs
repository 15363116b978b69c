#!/usr/bin/env node
// Per-request server overhead: one raw connection keeps `--depth` requests in flight against a
// running broker and counts responses per second and the broker's CPU per request.
//
//   node bench/profile-wire.mjs --bootstrap 127.0.0.1:9092 --pid <broker pid> [--kind apiversions|produce]
//        [--seconds 5] [--depth 64] [--record-bytes 100] [--topic t]
//
// `produce` sends Produce v3 (acks=1) with one small v2 batch (one record) to partition 0 of --topic,
// which must exist. Needs a built Brook (dist/) for the CRC-32C helper.
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (n, d) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const [host, port] = arg('bootstrap', '127.0.0.1:9092').split(':');
const PID = arg('pid', '');
const KIND = arg('kind', 'apiversions');
const SECONDS = Number(arg('seconds', 5));
const DEPTH = Number(arg('depth', 64));
const REC = Number(arg('record-bytes', 100));
const TOPIC = arg('topic', 't');
const dist = path.resolve(arg('dist', path.join(root, 'dist')));

function cpuMs(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * 10;
}

function varint(n, out) {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  while (z > 0x7f) {
    out.push((z & 0x7f) | 0x80);
    z >>>= 7;
  }
  out.push(z);
}

async function produceBody() {
  const { computeBatchCrc } = await import(pathToFileURL(path.join(dist, 'protocol/records/batch-header.js')).href);
  const body = [0];
  varint(0, body);
  varint(0, body);
  varint(-1, body);
  varint(REC, body);
  const rec = Buffer.concat([Buffer.from(body), Buffer.alloc(REC, 0x61), Buffer.from([0])]);
  const len = [];
  varint(rec.length, len);
  const recs = Buffer.concat([Buffer.from(len), rec]);
  const batch = Buffer.alloc(61 + recs.length);
  batch.writeBigInt64BE(0n, 0);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(-1, 12);
  batch.writeInt8(2, 16);
  batch.writeInt16BE(0, 21);
  batch.writeInt32BE(0, 23);
  batch.writeBigInt64BE(BigInt(Date.now()), 27);
  batch.writeBigInt64BE(BigInt(Date.now()), 35);
  batch.writeBigInt64BE(-1n, 43);
  batch.writeInt16BE(-1, 51);
  batch.writeInt32BE(-1, 53);
  batch.writeInt32BE(1, 57);
  recs.copy(batch, 61);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), 17);
  const t = Buffer.from(TOPIC);
  const b = Buffer.alloc(2 + 2 + 4 + 4 + 2 + t.length + 4 + 4 + 4);
  let o = b.writeInt16BE(-1, 0); // transactional_id
  o = b.writeInt16BE(1, o); // acks
  o = b.writeInt32BE(30000, o);
  o = b.writeInt32BE(1, o);
  o = b.writeInt16BE(t.length, o);
  o += t.copy(b, o);
  o = b.writeInt32BE(1, o);
  o = b.writeInt32BE(0, o);
  o = b.writeInt32BE(batch.length, o);
  return Buffer.concat([b, batch]);
}

function request(apiKey, version, corr, body) {
  const h = Buffer.alloc(4 + 2 + 2 + 4 + 2 + 5);
  h.writeInt32BE(h.length - 4 + body.length, 0);
  h.writeInt16BE(apiKey, 4);
  h.writeInt16BE(version, 6);
  h.writeInt32BE(corr, 8);
  h.writeInt16BE(5, 12);
  h.write('bench', 14);
  return Buffer.concat([h, body]);
}

const body = KIND === 'produce' ? await produceBody() : Buffer.alloc(0);
const [apiKey, version] = KIND === 'produce' ? [0, 3] : [18, 0];
const s = net.connect({ host, port: Number(port) });
s.setNoDelay(true);
await new Promise((r) => s.once('connect', r));
let corr = 0;
let done = 0;
let pending = Buffer.alloc(0);
let stop = false;
const send = (n) => {
  const bufs = [];
  for (let i = 0; i < n; i++) bufs.push(request(apiKey, version, corr++, body));
  s.write(Buffer.concat(bufs));
};
let firstErr = null;
s.on('data', (c) => {
  pending = pending.length ? Buffer.concat([pending, c]) : c;
  let n = 0;
  while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
    const size = pending.readInt32BE(0);
    if (KIND === 'produce' && firstErr === null) {
      // v3 response: corr, topics[1]: name, partitions[1]: index, error_code
      const nameLen = pending.readInt16BE(12);
      firstErr = pending.readInt16BE(14 + nameLen + 4 + 4);
    }
    pending = pending.subarray(4 + size);
    n++;
  }
  done += n;
  if (!stop && n > 0) send(n);
});
const c0 = PID ? cpuMs(PID) : 0;
const t0 = performance.now();
send(DEPTH);
await new Promise((r) => setTimeout(r, SECONDS * 1000));
stop = true;
const secs = (performance.now() - t0) / 1000;
const cpu = PID ? cpuMs(PID) - c0 : NaN;
s.destroy();
console.log(
  JSON.stringify({ kind: KIND, depth: DEPTH, reqPerSec: Math.round(done / secs), brokerCpuUsPerReq: +((cpu * 1000) / done).toFixed(2), produceError: firstErr }),
);
