#!/usr/bin/env node
// Side-by-side produce/consume throughput, broker RSS and startup: Brook vs Apache Kafka, alternating.
//
//   node bench/profile-compare.mjs [--rounds 2] [--records 300000] [--partitions 1] [--acks 1]
//        [--targets brook,kafka] [--brook-cli dist/cli/main.js] [--node-args "--cpu-prof ..."]
//
// Clients: Kafka's kafka-producer-perf-test and kafka-consumer-perf-test (same jars for both brokers).
// Startup: Brook is timed from spawn to the first answered Metadata request (polled every 5 ms);
// Kafka from its launcher's start() (storage format excluded: timed separately and subtracted).
// RSS: /proc/<pid>/status VmRSS sampled every 100 ms: idle after start, peak during the run, after.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const ROUNDS = Number(arg('rounds', 2));
const RECORDS = Number(arg('records', 300000));
const PARTS = Number(arg('partitions', 1));
const ACKS = arg('acks', '1');
const TARGETS = arg('targets', 'brook,kafka').split(',');
const BROOK_CLI = path.resolve(arg('brook-cli', path.join(root, 'dist/cli/main.js')));
const NODE_ARGS = (arg('node-args', '') || '').split(' ').filter(Boolean);
const BROOK_PROPS = (arg('brook-props', 'group.initial.rebalance.delay.ms=0') || '').split(',').filter(Boolean);
const TOOL = path.join(root, 'compat-tests/kafka/tool.sh');

/** utime+stime of a process in ms (all threads). */
function cpuMs(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / 100; // clock ticks, USER_HZ=100
  } catch {
    return NaN;
  }
}

function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Metadata v0 (all topics) over a raw socket; resolves true when a response frame arrives. */
function metadataAnswers(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(2000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => {
      const b = Buffer.alloc(4 + 2 + 2 + 4 + 2 + 4);
      b.writeInt32BE(b.length - 4, 0);
      b.writeInt16BE(3, 4);
      b.writeInt16BE(0, 6);
      b.writeInt32BE(7, 8);
      b.writeInt16BE(-1, 12);
      b.writeInt32BE(-1, 14); // null topics = all (v0 treats empty as all; -1 is fine too)
      b.writeInt32BE(0, 14);
      s.write(b);
    });
    let got = 0;
    s.on('data', (c) => {
      got += c.length;
      if (got >= 8) done(true);
    });
  });
}

async function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startBrook() {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-prof-'));
  const args = [...NODE_ARGS, BROOK_CLI, 'start', '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dir}/data`];
  for (const p of BROOK_PROPS) args.push('--override', p);
  const out = fs.openSync(path.join(dir, 'brook.log'), 'a');
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', out, out], cwd: dir });
  fs.closeSync(out);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`brook exited: ${fs.readFileSync(path.join(dir, 'brook.log'), 'utf8')}`);
    if (await metadataAnswers(port)) break;
    await sleep(5);
  }
  const startupMs = performance.now() - t0;
  return {
    bootstrap: `127.0.0.1:${port}`,
    pid: child.pid,
    startupMs,
    dir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let formatMs = null;
async function startKafka() {
  const kafka = await import(path.join(root, 'compat-tests/kafka/kafka.mjs'));
  if (formatMs === null) {
    // Time the storage format step alone (one JVM), so it can be subtracted from start().
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kfmt-'));
    const cfg = path.join(d, 'server.properties');
    fs.writeFileSync(cfg, `process.roles=broker,controller\nnode.id=1\ncontroller.quorum.voters=1@127.0.0.1:1\nlisteners=CONTROLLER://127.0.0.1:1\ncontroller.listener.names=CONTROLLER\nlog.dirs=${d}/logs\n`);
    const t = performance.now();
    try {
      execFileSync('java', kafka.javaArgs('kafka.tools.StorageTool', ['format', '-t', 'AAAAAAAAAAAAAAAAAAAAAA', '-c', cfg, '--ignore-formatted'], {}), { stdio: 'ignore' });
    } catch {
      /* timing only */
    }
    formatMs = performance.now() - t;
    fs.rmSync(d, { recursive: true, force: true });
  }
  const t0 = performance.now();
  const k = await kafka.start({ port: 0 });
  const total = performance.now() - t0;
  return { ...k, startupMs: total - formatMs, startTotalMs: total };
}

function run(cmd, args) {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => resolve({ code, out, err }));
  });
}

async function measure(target) {
  const b = target === 'brook' ? await startBrook() : await startKafka();
  const idle = rssMiB(b.pid);
  let peak = idle;
  const sampler = setInterval(() => {
    const r = rssMiB(b.pid);
    if (r > peak) peak = r;
  }, 100);
  const topic = `t${Date.now()}`;
  await run(TOOL, ['kafka-topics', '--bootstrap-server', b.bootstrap, '--create', '--topic', topic, '--partitions', String(PARTS), '--replication-factor', '1']);
  const c0 = cpuMs(b.pid);
  const prod = await run(TOOL, [
    'kafka-producer-perf-test', '--topic', topic, '--num-records', String(RECORDS), '--record-size', '1024', '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${b.bootstrap}`, `acks=${ACKS}`, 'linger.ms=5', 'batch.size=65536', 'enable.idempotence=false',
  ]);
  const pl = prod.out.trim().split('\n').pop();
  const pm = /records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(pl);
  const afterProduce = rssMiB(b.pid);
  const c1 = cpuMs(b.pid);
  const cons = await run(TOOL, ['kafka-consumer-perf-test', '--bootstrap-server', b.bootstrap, '--topic', topic, '--messages', String(RECORDS), '--timeout', '60000']);
  // data.consumed.in.MB, MB.sec, ... (header line then values)
  const cl = cons.out.trim().split('\n').pop().split(',').map((s) => s.trim());
  const hdr = cons.out.trim().split('\n').find((l) => l.includes('MB.sec'))?.split(',').map((s) => s.trim()) ?? [];
  const cMBs = Number(cl[hdr.indexOf('MB.sec')]);
  const fetchMBs = Number(cl[hdr.indexOf('fetch.MB.sec')]);
  const rebalanceMs = Number(cl[hdr.indexOf('rebalance.time.ms')]);
  const c2 = cpuMs(b.pid);
  clearInterval(sampler);
  const after = rssMiB(b.pid);
  await b.stop();
  const res = {
    target,
    startupMs: Math.round(b.startupMs),
    rssIdle: +idle.toFixed(1),
    rssPeak: +peak.toFixed(1),
    rssAfterProduce: +afterProduce.toFixed(1),
    rssAfter: +after.toFixed(1),
    produceMBs: pm ? Number(pm[1]) : NaN,
    p50: pm ? Number(pm[4]) : NaN,
    p99: pm ? Number(pm[6]) : NaN,
    consumeMBs: cMBs,
    // Broker CPU (all threads) per GiB moved: independent of how loaded the machine is.
    produceCpuSperGiB: +(((c1 - c0) / 1000) / ((RECORDS * 1024) / 2 ** 30)).toFixed(2),
    consumeCpuSperGiB: +(((c2 - c1) / 1000) / ((RECORDS * 1024) / 2 ** 30)).toFixed(2),
    fetchMBs,
    rebalanceMs,
    load: os.loadavg()[0].toFixed(1),
  };
  if (!pm) res.produceErr = (prod.out + prod.err).slice(-400);
  if (!Number.isFinite(cMBs)) res.consumeErr = (cons.out + cons.err).slice(-400);
  return res;
}

const results = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const t of r % 2 === 0 ? TARGETS : [...TARGETS].reverse()) {
    const res = await measure(t);
    results.push(res);
    console.log(JSON.stringify(res));
  }
}
const med = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[(s.length - 1) >> 1] : NaN;
};
if (TARGETS.length === 2) {
  const [a, b] = TARGETS;
  for (const k of ['startupMs', 'rssIdle', 'rssPeak', 'produceMBs', 'p99', 'consumeMBs', 'fetchMBs', 'rebalanceMs', 'produceCpuSperGiB', 'consumeCpuSperGiB']) {
    const x = med(results.filter((r) => r.target === a).map((r) => r[k]));
    const y = med(results.filter((r) => r.target === b).map((r) => r[k]));
    console.log(`${k.padEnd(12)} ${a}=${x} ${b}=${y} ratio=${(x / y).toFixed(2)}`);
  }
}
