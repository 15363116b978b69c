// Produce-path micro-bench (in process, memory engine, acks=1): producePartition() on the default path
// (compression.type=producer, default timestamp bounds) with uncompressed and zstd batches, then the
// broker-side re-compression cost for 1 KiB records (gzip → zstd) and the before.max.ms record scan.
// Builds the project with tsc into bench/.cache/recompress first.
// Usage: node bench/recompress.mjs [seconds per case=3] [--only <case substring>]   (BROOK_ROOT=<checkout> to bench another tree; BENCH_NO_BUILD=1 reuses the last build)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const here = join(import.meta.dirname, '..');
const root = process.env.BROOK_ROOT ?? here;
const out = join(root, 'bench/.cache/recompress');
if (!process.env.BENCH_NO_BUILD) spawnSync(process.execPath, [join(here, 'node_modules/typescript/bin/tsc'), '-p', root, '--outDir', out], { stdio: 'inherit' });
const imp = (p) => import(pathToFileURL(join(out, p)).href);
const { startBroker } = await imp('broker.js');
const { producePartition } = await imp('storage/service/produce.js');
const { buildRecordBatch } = await imp('protocol/records/index.js');

const SECONDS = Number(process.argv.find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 3);
const broker = await startBroker({ storage: 'memory', port: 0, config: { 'log.level': 'silent', 'message.max.bytes': 16 << 20 } });
const services = broker.services;

async function topic(name, configs = {}) {
  const r = await services.topics.createTopic({ name, numPartitions: 1, configs: Object.entries(configs) });
  if (r.errorCode !== 0) throw new Error(`create ${name}: ${r.errorCode}`);
  return name;
}

const pool = randomBytes(256 * 1024);
for (let i = 0; i < pool.length; i++) pool[i] = 97 + (pool[i] & 15); // 4 bits of entropy a byte: about 2:1, like typical payloads
const value = pool.subarray(0, 1024);
const valueAt = (i) => pool.subarray((i * 1024) % (pool.length - 1024), ((i * 1024) % (pool.length - 1024)) + 1024);
function batch(n, compression) {
  const now = Date.now();
  return buildRecordBatch({ compression, records: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: valueAt(i), timestamp: now, headers: { h: 'v' } })) });
}

// --only <substring>: run just the matching cases (each case in a fresh process gives steadier figures).
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
async function run(name, topicName, makeBatch, n) {
  if (only && !name.includes(only)) return null;
  const template = makeBatch();
  for (let i = 0; i < 200; i++) await producePartition(services, { topic: services.topics.get(topicName), partition: 0, records: Buffer.from(template), version: 9, durability: 'written', clientId: 'bench' }); // warm-up
  let records = 0;
  let bytes = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  while (performance.now() < end) {
    const pending = [];
    for (let i = 0; i < 16; i++) {
      const buf = Buffer.from(template); // the request frame's copy
      pending.push(producePartition(services, { topic: services.topics.get(topicName), partition: 0, records: buf, version: 9, durability: 'written', clientId: 'bench' }));
      records += n;
      bytes += n * value.length;
    }
    for (const r of await Promise.all(pending)) if (r.errorCode !== 0) throw new Error(`${name}: error ${r.errorCode}`);
    const log = services.storage.getPartition(topicName, 0);
    if (log.logEndOffset() - log.logStartOffset() > 10_000) await log.deleteRecordsBefore(log.logEndOffset()); // bound memory
  }
  const s = (performance.now() - t0) / 1000;
  const r = { case: name, batchRecords: n, batchBytes: template.length, MBps: +(bytes / s / 1e6).toFixed(1), recordsPerSec: Math.round(records / s), batchesPerSec: Math.round(records / n / s) };
  console.log(JSON.stringify(r));
  return r;
}

await topic('plain');
await topic('zstd-target', { 'compression.type': 'zstd' });
await topic('before-bound', { 'message.timestamp.before.max.ms': '3600000' });
const ZSTD = 4;
const GZIP = 1;
await run('default path, uncompressed 1 KiB × 100', 'plain', () => batch(100, 0), 100);
await run('default path, zstd 1 KiB × 100', 'plain', () => batch(100, ZSTD), 100);
await run('default path, uncompressed 100 B-ish × 1', 'plain', () => buildRecordBatch({ records: [{ value: value.subarray(0, 100), timestamp: Date.now() }] }), 1);
await run('recompress gzip → zstd 1 KiB × 100', 'zstd-target', () => batch(100, GZIP), 100);
await run('already zstd on zstd topic 1 KiB × 100', 'zstd-target', () => batch(100, ZSTD), 100);
await run('before.max.ms scan, gzip 1 KiB × 100', 'before-bound', () => batch(100, GZIP), 100);
await run('before.max.ms scan, uncompressed 1 KiB × 100', 'before-bound', () => batch(100, 0), 100);
await broker.close();
