// Storage engine throughput: append MB/s with 1 KiB-record batches at `written` and `synced`
// durability (many appends in flight, so group commit applies), and read MB/s from disk and
// from the tail cache. Builds src/storage with tsc into bench/.cache first.
// Usage: node bench/storage.mjs [totalMiB=256]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const out = join(root, 'bench/.cache/storage');
execFileSync(process.execPath, [
  join(root, 'node_modules/typescript/bin/tsc'), '--outDir', out, '--rootDir', join(root, 'src'),
  '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck',
  '--types', 'node', join(root, 'src/storage/index.ts'),
], { stdio: 'inherit' });
const storage = await import(pathToFileURL(join(out, 'storage/index.js')).href);
const { computeBatchCrc } = await import(pathToFileURL(join(out, 'protocol/records/batch-header.js')).href);

const totalMiB = Number(process.argv[2] ?? 256);
const RECORD = 1024;
const PER_BATCH = 16; // 16 KiB batches, like a producer's linger batch
const IN_FLIGHT = 32;

function template() {
  const rec = [];
  for (let i = 0; i < PER_BATCH; i++) {
    const value = Buffer.alloc(RECORD, 0x61 + i);
    const body = Buffer.concat([Buffer.from([0, i * 2, i * 2, 1, 0x80, 0x10]), value, Buffer.from([0])]); // value len 1024 zigzag = 0x80 0x10
    rec.push(Buffer.from([...varint(body.length)]), body);
  }
  const recs = Buffer.concat(rec);
  const buf = Buffer.alloc(61 + recs.length);
  buf.writeInt32BE(buf.length - 12, 8);
  buf.writeInt8(2, 16);
  buf.writeInt32BE(PER_BATCH - 1, 23);
  buf.writeBigInt64BE(BigInt(Date.now()), 27);
  buf.writeBigInt64BE(BigInt(Date.now()), 35);
  buf.writeBigInt64BE(-1n, 43);
  buf.writeInt16BE(-1, 51);
  buf.writeInt32BE(-1, 53);
  buf.writeInt32BE(PER_BATCH, 57);
  recs.copy(buf, 61);
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), 17);
  return buf;
}
function* varint(n) {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  while (z > 0x7f) { yield (z & 0x7f) | 0x80; z >>>= 7; }
  yield z;
}

const tpl = template();
const batches = Math.ceil((totalMiB * 1024 * 1024) / tpl.length);

async function appendRun(durability) {
  const dir = mkdtempSync(join(tmpdir(), 'brook-bench-'));
  const engine = storage.createStorage({ kind: 'file', dataDir: dir });
  await engine.open();
  const log = await engine.createPartition('bench', 0, { ...storage.DEFAULT_LOG_CONFIG, segmentBytes: 256 * 1024 * 1024 });
  let next = 0;
  const t0 = process.hrtime.bigint();
  async function worker() {
    while (next < batches) {
      next++;
      await log.append([{ buf: Buffer.from(tpl), offsetCount: PER_BATCH, maxTimestamp: Date.now() }], 0, durability);
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  if (durability === 'written') await log.flush?.();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const mib = (batches * tpl.length) / 1048576;
  const w = log.writer;
  console.log(
    `append ${durability.padEnd(7)} ${(mib / secs).toFixed(0).padStart(5)} MiB/s  ${((batches * PER_BATCH) / secs / 1000).toFixed(0)}k rec/s` +
      `  writev=${w.writes} fsync=${w.fsyncs}`,
  );
  return { engine, log, dir };
}

async function readRun(log, label) {
  const end = log.logEndOffset();
  let off = log.logStartOffset();
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  while (off < end) {
    const r = await log.read(off, 1024 * 1024, true);
    bytes += r.bytes;
    const last = r.chunks[r.chunks.length - 1];
    // next offset: walk the last chunk's batches
    let p = 0, lastOffset = off;
    while (p < last.length) { lastOffset = Number(last.readBigInt64BE(p)) + last.readInt32BE(p + 23); p += 12 + last.readInt32BE(p + 8); }
    off = lastOffset + 1;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`read  ${label.padEnd(7)} ${(bytes / 1048576 / secs).toFixed(0).padStart(5)} MiB/s  (1 MiB reads)`);
}

console.log(`${totalMiB} MiB in ${tpl.length}-byte batches of ${PER_BATCH} x ${RECORD} B records, ${IN_FLIGHT} appends in flight`);
for (const durability of ['written', 'synced']) {
  const { engine, log, dir } = await appendRun(durability);
  if (durability === 'synced') {
    await readRun(log, 'disk');
    await engine.close();
    const reopened = storage.createStorage({ kind: 'file', dataDir: dir, tailCacheBytes: 64 * 1024 * 1024 });
    await reopened.open();
    const l2 = reopened.getPartition('bench', 0);
    for (let i = 0; i < 64; i++) await l2.append([{ buf: Buffer.from(tpl), offsetCount: PER_BATCH, maxTimestamp: Date.now() }], 0, 'none');
    const tailStart = l2.logEndOffset() - 64 * PER_BATCH;
    const t0 = process.hrtime.bigint();
    let bytes = 0;
    for (let rep = 0; rep < 50; rep++) {
      for (let off = tailStart; off < l2.logEndOffset(); off += PER_BATCH * 16) bytes += (await l2.read(off, 256 * 1024, true)).bytes;
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`read  tail    ${(bytes / 1048576 / secs).toFixed(0).padStart(5)} MiB/s  (from memory, 256 KiB reads)`);
    await reopened.close();
  } else await engine.close();
  rmSync(dir, { recursive: true, force: true });
}
