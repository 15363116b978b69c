// Group join latency: time from starting N kafkajs consumers (all at once, new group) until the group
// is Stable (every consumer got its GROUP_JOIN event) and fetching (every consumer received a record
// from the pre-filled topic), for N = 1, 3, 10. Runs with group.initial.rebalance.delay.ms=0 and with
// Kafka's default 3000 (the delay dominates a new group's first rebalance). Brook runs as a child
// process built with tsc into bench/.cache/brook-groups (not dist/).
// Usage: node bench/group-join.mjs [repetitions=3]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, 'bench/.cache/brook-groups');
spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root, '--outDir', out], { stdio: 'ignore' });
const { Kafka, logLevel } = createRequire(import.meta.url)('kafkajs');

const REPS = Number(process.argv[2] ?? 3);
const SIZES = [1, 3, 10];
const PARTITIONS = 12;
const TOPIC = 'group-join';

async function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

async function startBrook(delayMs) {
  const dir = mkdtempSync(join(tmpdir(), 'brook-bench-groups-'));
  const port = await freePort();
  const overrides = { listeners: `PLAINTEXT://127.0.0.1:${port}`, 'log.dirs': dir, 'log.level': 'warn', 'group.initial.rebalance.delay.ms': delayMs, 'offsets.topic.num.partitions': 50 };
  const child = spawn(process.execPath, [join(out, 'cli/main.js'), 'start', ...Object.entries(overrides).flatMap(([k, v]) => ['--override', `${k}=${v}`])], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (;;) {
    const ok = await new Promise((res) => {
      const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), res(true)));
      s.on('error', () => res(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    bootstrap: `127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts n consumers of a new group at once; resolves with {stableMs, fetchingMs}. */
async function joinOnce(kafka, n, groupId) {
  const t0 = performance.now();
  const consumers = Array.from({ length: n }, () => kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 100 }));
  const joined = new Array(n).fill(0);
  const fetched = new Array(n).fill(0);
  await Promise.all(
    consumers.map(async (c, i) => {
      c.on(c.events.GROUP_JOIN, () => (joined[i] ||= performance.now() - t0));
      await c.connect();
      await c.subscribe({ topic: TOPIC, fromBeginning: true });
      await c.run({ eachMessage: async () => void (fetched[i] ||= performance.now() - t0) });
    }),
  );
  const deadline = Date.now() + 60_000;
  while ((joined.some((x) => !x) || fetched.some((x) => !x)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await Promise.all(consumers.map((c) => c.disconnect()));
  if (joined.some((x) => !x) || fetched.some((x) => !x)) throw new Error(`group of ${n} did not settle within 60 s`);
  return { stableMs: Math.max(...joined), fetchingMs: Math.max(...fetched) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const delayMs of [0, 3000]) {
  const brook = await startBrook(delayMs);
  try {
    const kafka = new Kafka({ clientId: 'bench-groups', brokers: [brook.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: Array.from({ length: PARTITIONS * 10 }, (_, i) => ({ value: `v${i}`, partition: i % PARTITIONS })) });
    await producer.disconnect();
    let g = 0;
    for (const n of SIZES) {
      const runs = [];
      for (let r = 0; r < REPS; r++) runs.push(await joinOnce(kafka, n, `bench-${delayMs}-${n}-${g++}`));
      rows.push({ delayMs, consumers: n, stableMs: median(runs.map((x) => x.stableMs)), fetchingMs: median(runs.map((x) => x.fetchingMs)) });
      const last = rows.at(-1);
      console.error(`delay ${delayMs} ms, ${n} consumers: stable ${last.stableMs.toFixed(0)} ms, fetching ${last.fetchingMs.toFixed(0)} ms (median of ${REPS})`);
    }
  } finally {
    await brook.stop();
  }
}
console.log('| group.initial.rebalance.delay.ms | consumers | until Stable (ms) | until all fetching (ms) |');
console.log('| --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.delayMs} | ${r.consumers} | ${r.stableMs.toFixed(0)} | ${r.fetchingMs.toFixed(0)} |`);
