// Produce and consume throughput against a Brook broker running as a child process (file engine in a
// temp dir): kafkajs producer (and kcat when installed) at acks=1 and acks=all, 100 B and 1 KiB
// records; consumers: a raw Fetch loop on Brook's codec (counts records from batch headers, so it
// measures the broker) and kcat -C. Prints MB/s, records/s and the broker's RSS (current and peak).
// Builds the whole project with tsc into bench/.cache/brook first (not dist/).
// Usage: node bench/produce-consume.mjs [MiB per run=64]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const out = join(root, 'bench/.cache/brook');
spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root, '--outDir', out], { stdio: 'ignore' });
const proto = await import(pathToFileURL(join(out, 'protocol/index.js')).href);
const { Framer } = await import(pathToFileURL(join(out, 'server/framer.js')).href);
const { Kafka, logLevel } = createRequire(import.meta.url)('kafkajs');

const MIB = Number(process.argv[2] ?? 64);
const PARTITIONS = 6;
const PER_SEND = 1000;
const IN_FLIGHT = 4;
const hasKcat = spawnSync('kcat', ['-V']).status === 0;

const dir = mkdtempSync(join(tmpdir(), 'brook-bench-'));
const port = await new Promise((res) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => res(p));
  });
});
const broker = spawn(process.execPath, [join(out, 'cli/main.js'), 'start', '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dir}`, '--override', 'log.level=warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
for (;;) {
  const ok = await new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), res(true)));
    s.on('error', () => res(false));
  });
  if (ok) break;
  await new Promise((r) => setTimeout(r, 100));
}
const bootstrap = `127.0.0.1:${port}`;
const rss = () => {
  const status = readFileSync(`/proc/${broker.pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: (kb('VmRSS') / 1024).toFixed(0), peakMiB: (kb('VmHWM') / 1024).toFixed(0) };
};
const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();

const results = [];
const report = (what, size, acks, records, seconds) => {
  const r = { what, size, acks, records, seconds: +seconds.toFixed(2), MBps: +((records * size) / seconds / 1e6).toFixed(1), recordsPerSec: Math.round(records / seconds), ...rss() };
  results.push(r);
  console.log(JSON.stringify(r));
};

async function kafkajsProduce(topic, size, acks, count) {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(size, 0x61);
  const messages = Array.from({ length: PER_SEND }, (_, i) => ({ partition: i % PARTITIONS, value }));
  const sends = Math.ceil(count / PER_SEND);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < sends) {
      next++;
      await producer.send({ topic, acks, messages });
    }
  }));
  const s = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return { records: sends * PER_SEND, seconds: s };
}

/** Raw Fetch loop on Brook's codec: counts records from batch headers (no record decoding). */
async function rawConsume(topic, total) {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((r) => socket.once('connect', r));
  const framer = new Framer(1 << 30);
  let waiting = null;
  socket.on('data', (c) => {
    framer.push(c);
    for (let f = framer.next(); f; f = framer.next()) waiting?.(f);
  });
  const offsets = new Array(PARTITIONS).fill(0n);
  let seen = 0;
  let cid = 1;
  const t0 = performance.now();
  while (seen < total) {
    const w = new proto.Writer();
    proto.encodeRequestFrame(w, proto.Fetch, 11, cid++, 'bench', {
      replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 32 << 20, sessionEpoch: -1,
      topics: [{ topic, partitions: offsets.map((o, p) => ({ partition: p, fetchOffset: o, partitionMaxBytes: 8 << 20, currentLeaderEpoch: -1 })) }],
    });
    const frame = await new Promise((res) => {
      waiting = res;
      for (const c of w.finish()) socket.write(c);
    });
    const res = proto.decodeResponseFrame(frame, proto.Fetch, 11).body;
    for (const p of res.responses[0].partitions) {
      const buf = p.records;
      let pos = 0;
      while (buf && pos + 61 <= buf.length) {
        const size = 12 + buf.readInt32BE(pos + 8);
        if (pos + size > buf.length) break;
        const base = buf.readBigInt64BE(pos);
        const last = base + BigInt(buf.readInt32BE(pos + 23));
        if (last >= offsets[p.partitionIndex]) {
          seen += Number(last - (base > offsets[p.partitionIndex] ? base : offsets[p.partitionIndex])) + 1;
          offsets[p.partitionIndex] = last + 1n;
        }
        pos += size;
      }
    }
  }
  socket.destroy();
  return { records: seen, seconds: (performance.now() - t0) / 1000 };
}

function kcatProduce(topic, size, acks, count) {
  const file = join(dir, `records-${size}.txt`);
  writeFileSync(file, `${'a'.repeat(size - 1)}\n`.repeat(count));
  const t0 = performance.now();
  execFileSync('kcat', ['-P', '-b', bootstrap, '-t', topic, '-X', `acks=${acks}`, '-X', 'linger.ms=5', '-l', file], { stdio: 'ignore' });
  return { records: count, seconds: (performance.now() - t0) / 1000 };
}

function kcatConsume(topic, count) {
  const t0 = performance.now();
  execFileSync('kcat', ['-C', '-b', bootstrap, '-t', topic, '-e', '-o', 'beginning', '-q', '-c', String(count), '-f', '%o\n'], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 30 });
  return { records: count, seconds: (performance.now() - t0) / 1000 };
}

let n = 0;
for (const size of [100, 1024]) {
  for (const acks of [1, -1]) {
    const count = Math.floor((MIB * 1024 * 1024) / size / PER_SEND) * PER_SEND;
    const topic = `bench-${n++}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    const p = await kafkajsProduce(topic, size, acks, count);
    report('produce kafkajs', size, acks, p.records, p.seconds);
    const c = await rawConsume(topic, p.records);
    report('consume raw-fetch', size, acks, c.records, c.seconds);
    if (hasKcat) {
      const kt = `bench-${n++}`;
      await admin.createTopics({ topics: [{ topic: kt, numPartitions: PARTITIONS }] });
      const kp = kcatProduce(kt, size, acks, count);
      report('produce kcat', size, acks, kp.records, kp.seconds);
      const kc = kcatConsume(kt, count);
      report('consume kcat', size, acks, kc.records, kc.seconds);
    }
  }
}
await admin.disconnect();
broker.kill('SIGTERM');
await new Promise((r) => broker.once('exit', r));
rmSync(dir, { recursive: true, force: true });
console.table(results);
