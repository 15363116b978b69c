// Client programs the workloads drive, each as a child process in its own process group:
// Kafka's Java perf tools (through compat-tests/kafka/tool.sh), bench/lib/E2eRate.java, the kafkajs
// and confluent-kafka (librdkafka) loops in bench/lib/.
import fs from 'node:fs';
import path from 'node:path';
import { libsDir, ensureKafka } from '../../compat-tests/kafka/kafka.mjs';
import { BENCH_DIR, CACHE, REPO_ROOT, run, startProc } from './util.mjs';

const TOOL = path.join(REPO_ROOT, 'compat-tests', 'kafka', 'tool.sh');
const PY = process.env.COMPAT_PYTHON || path.join(REPO_ROOT, 'compat-tests', '.cache', 'venv', 'bin', 'python');

/** Producer settings applied to every Java producer of the run (see run.mjs --no-idempotence). */
export const clientOpts = { idempotence: true };

const SUMMARY =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/;

export function parseProducerPerf(stdout) {
  const lines = stdout.trim().split('\n').filter((l) => SUMMARY.test(l));
  const m = SUMMARY.exec(lines.at(-1) || '');
  if (!m) return null;
  return {
    records: +m[1],
    recordsPerSec: +m[2],
    mibPerSec: +m[3],
    avgMs: +m[4],
    maxMs: +m[5],
    p50Ms: +m[6],
    p95Ms: +m[7],
    p99Ms: +m[8],
    p999Ms: +m[9],
  };
}

/** Starts kafka-producer-perf-test; returns the startProc handle (done resolves the raw result). */
export function startProducerPerf({ bootstrap, topic, numRecords, recordSize, throughput = -1, props = {}, timeoutMs = 900000 }) {
  const p = { acks: 1, 'linger.ms': 5, 'batch.size': 65536, 'compression.type': 'none', ...props };
  if (!clientOpts.idempotence) p['enable.idempotence'] = false;
  const args = [
    'kafka-producer-perf-test',
    '--bootstrap-server', bootstrap,
    '--topic', topic,
    '--num-records', String(numRecords),
    '--record-size', String(recordSize),
    '--throughput', String(throughput),
    '--command-property', ...Object.entries(p).map(([k, v]) => `${k}=${v}`),
  ];
  return startProc('bash', [TOOL, ...args], { timeoutMs, env: { KAFKA_TOOL_HEAP: '512m' } });
}

export async function producerPerf(opts) {
  const r = await startProducerPerf(opts).done;
  const parsed = parseProducerPerf(r.stdout);
  if (r.code !== 0 || !parsed) throw new Error(`kafka-producer-perf-test failed (exit ${r.code}): ${tail(r)}`);
  if (parsed.records < opts.numRecords) throw new Error(`kafka-producer-perf-test sent ${parsed.records} of ${opts.numRecords}`);
  return { ...parsed, wallMs: r.ms, startedAt: r.startedAt, endedAt: r.endedAt };
}

/** Parallel producers: sums the rates, takes the median p50 and the worst p99/p99.9. */
export async function producerPerfParallel(n, opts) {
  if (n === 1) return producerPerf(opts);
  const all = await Promise.all(Array.from({ length: n }, () => producerPerf(opts)));
  const sum = (k) => all.reduce((s, x) => s + x[k], 0);
  const sorted = (k) => all.map((x) => x[k]).sort((a, b) => a - b);
  return {
    records: sum('records'),
    recordsPerSec: sum('recordsPerSec'),
    mibPerSec: sum('mibPerSec'),
    avgMs: sum('avgMs') / n,
    p50Ms: sorted('p50Ms')[n >> 1],
    p99Ms: Math.max(...sorted('p99Ms')),
    p999Ms: Math.max(...sorted('p999Ms')),
  };
}

/** Parses kafka-consumer-perf-test's CSV (header line then one data line). */
export function parseConsumerPerf(stdout) {
  const lines = stdout.trim().split('\n');
  const h = lines.findIndex((l) => l.includes('data.consumed.in.nMsg'));
  if (h < 0 || !lines[h + 1]) return null;
  const keys = lines[h].split(',').map((s) => s.trim());
  const vals = lines[h + 1].split(',').map((s) => s.trim());
  const o = Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
  const ts = (s) => {
    // yyyy-MM-dd HH:mm:ss:SSS (local time)
    const m = /^(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+):(\d+)$/.exec(s || '');
    return m ? new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]).getTime() : NaN;
  };
  return {
    startMs: ts(o['start.time']),
    endMs: ts(o['end.time']),
    mib: +o['data.consumed.in.MB'],
    mibPerSec: +o['MB.sec'],
    records: +o['data.consumed.in.nMsg'],
    recordsPerSec: +o['nMsg.sec'],
    rebalanceMs: +o['rebalance.time.ms'],
    fetchMs: +o['fetch.time.ms'],
    fetchMibPerSec: +o['fetch.MB.sec'],
    fetchRecordsPerSec: +o['fetch.nMsg.sec'],
  };
}

export function startConsumerPerf({ bootstrap, topic, numRecords, group, timeoutMs = 30000, procTimeoutMs = 900000 }) {
  const args = [
    'kafka-consumer-perf-test',
    '--bootstrap-server', bootstrap,
    '--topic', topic,
    '--num-records', String(numRecords),
    '--group', group,
    '--timeout', String(timeoutMs),
  ];
  return startProc('bash', [TOOL, ...args], { timeoutMs: procTimeoutMs, env: { KAFKA_TOOL_HEAP: '512m' } });
}

export async function finishConsumerPerf(handle, numRecords) {
  const r = await handle.done;
  const parsed = parseConsumerPerf(r.stdout);
  if (r.code !== 0 || !parsed) throw new Error(`kafka-consumer-perf-test failed (exit ${r.code}): ${tail(r)}`);
  if (parsed.records < numRecords) throw new Error(`kafka-consumer-perf-test consumed ${parsed.records} of ${numRecords} (${tail(r)})`);
  return { ...parsed, wallMs: r.ms, startedAt: r.startedAt, endedAt: r.endedAt };
}

/** org.apache.kafka.tools.EndToEndLatency: one record at a time, produce → consume round trip. */
export async function e2eLatencyTool({ bootstrap, topic, numRecords, recordSize, acks = 1 }) {
  const r = await run('bash', [TOOL, 'org.apache.kafka.tools.EndToEndLatency', '--bootstrap-server', bootstrap, '--topic', topic, '--num-records', String(numRecords), '--producer-acks', String(acks), '--record-size', String(recordSize)], { timeoutMs: 600000, allowFail: true });
  const avg = /Avg latency: ([\d.]+) ms/.exec(r.stdout);
  const pc = /Percentiles: 50th = ([\d.]+), 99th = ([\d.]+), 99\.9th = ([\d.]+)/.exec(r.stdout);
  if (r.code !== 0 || !avg || !pc) throw new Error(`EndToEndLatency failed (exit ${r.code}): ${tail(r)}`);
  return { avgMs: +avg[1], p50Ms: +pc[1], p99Ms: +pc[2], p999Ms: +pc[3] };
}

/** Compiles bench/lib/E2eRate.java once into bench/.cache/java. */
export async function ensureE2eRate() {
  ensureKafka();
  const out = path.join(CACHE, 'java');
  const src = path.join(BENCH_DIR, 'lib', 'E2eRate.java');
  const cls = path.join(out, 'E2eRate.class');
  if (fs.existsSync(cls) && fs.statSync(cls).mtimeMs >= fs.statSync(src).mtimeMs) return out;
  fs.mkdirSync(out, { recursive: true });
  await run('javac', ['-nowarn', '-cp', path.join(libsDir(), '*'), '-d', out, src], { timeoutMs: 300000 });
  return out;
}

export async function e2eRate({ bootstrap, topic, rate, seconds, recordSize, acks = 1, warmup = 1, ramp = 5 }) {
  const classes = await ensureE2eRate();
  const r = await run(
    'java',
    ['-Xmx512m', `-Didempotence=${clientOpts.idempotence}`, '-cp', `${path.join(libsDir(), '*')}:${classes}`, 'E2eRate', bootstrap, topic, String(rate), String(seconds), String(recordSize), String(acks), String(warmup), String(ramp)],
    { timeoutMs: (seconds + ramp + 120) * 1000, allowFail: true }, // seconds already includes warmup
  );
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (r.code !== 0 || !line) throw new Error(`E2eRate failed (exit ${r.code}): ${tail(r)}`);
  const o = JSON.parse(line);
  if (o.received < o.sent) throw new Error(`E2eRate received ${o.received} of ${o.sent}`);
  return { p50Ms: o.p50, p99Ms: o.p99, p999Ms: o.p999, maxMs: o.max, achievedRate: o.achievedRate };
}

/** bench/lib/kafkajs-client.mjs <mode> …; returns its last JSON line. */
export async function kafkajs(mode, args, timeoutMs = 600000) {
  const r = await run(process.execPath, [path.join(BENCH_DIR, 'lib', 'kafkajs-client.mjs'), mode, JSON.stringify(args)], { timeoutMs, allowFail: true });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (r.code !== 0 || !line) throw new Error(`kafkajs ${mode} failed (exit ${r.code}): ${tail(r)}`);
  return JSON.parse(line);
}

export function hasPython() {
  return fs.existsSync(PY);
}

/** bench/lib/rdkafka-client.py <mode> <json> (confluent-kafka = librdkafka); returns its JSON line. */
export async function rdkafka(mode, args, timeoutMs = 600000) {
  const r = await run(PY, [path.join(BENCH_DIR, 'lib', 'rdkafka-client.py'), mode, JSON.stringify(args)], { timeoutMs, allowFail: true });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (r.code !== 0 || !line) throw new Error(`confluent-kafka ${mode} failed (exit ${r.code}): ${tail(r)}`);
  return JSON.parse(line);
}

/** The first exception/error line (the cause, before a Java stack trace) and the last lines. */
function tail(r) {
  const lines = (r.stderr + '\n' + r.stdout).trim().split('\n').filter((l) => l.trim() && !/^\s+at /.test(l));
  const cause = lines.find((l) => /Exception|Error|FAIL/.test(l));
  const last = lines.slice(-4);
  return [...(cause && !last.includes(cause) ? [cause] : []), ...last].join(' | ').slice(0, 800);
}
