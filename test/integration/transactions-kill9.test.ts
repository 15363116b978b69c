/**
 * Exactly-once through broker crashes: the broker runs as a child process (our own compiled build);
 * confluent-kafka runs a consume-transform-produce loop with transactions (transactions-ctp.py) while
 * the broker is SIGKILLed and restarted twice mid-stream. Every input record must appear exactly once
 * in the committed output (read_committed, aborted transactions dropped as clients do), and the
 * transaction and producer state must be recovered (DescribeTransactions after the restarts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, openSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_CODECS } from '../../src/protocol/generated/index.js';
import { ATTRIBUTES, BASE_OFFSET, CONTROL_FLAG, PRODUCER_ID, batches, iterateRecords } from '../../src/protocol/records/index.js';
import { compileBroker, freePort, startChildBroker } from '../helpers/child-broker.js';
import { KafkaTestClient, batchOf, produce } from '../helpers/kafka-client.js';

const root = join(import.meta.dirname, '../..');
let compiled: string;
const PYTHON = join(root, 'compat-tests/.cache/venv/bin/python');
const INPUT = 6000;
let dir: string;
let child: ChildProcess | null = null;

/** Diagnostics: the client's output goes to /tmp/brook-ctp.log as it arrives, the brokers' to /tmp/brook-ctp-broker.log. */
const CLIENT_LOG = join(tmpdir(), 'brook-ctp.log');
const BROKER_LOG = join(tmpdir(), 'brook-ctp-broker.log');
/** CTP_BROKER_LOG_LEVEL=debug for the child broker's log; CTP_DEBUG=eos,protocol for librdkafka's (passed through). */
const BROKER_LOG_LEVEL = process.env.CTP_BROKER_LOG_LEVEL ?? 'warn';

function startChild(port: number): Promise<ChildProcess> {
  const out = openSync(BROKER_LOG, 'a');
  return startChildBroker({
    compiled,
    port,
    logDirs: dir,
    stdio: ['ignore', out, out],
    overrides: {
      'log.level': BROKER_LOG_LEVEL,
      'transaction.state.log.num.partitions': 4,
      'offsets.topic.num.partitions': 4,
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': 1000,
    },
  });
}

// Part of `npm test` when the python venv with confluent-kafka exists (compat-tests/README.md); BROOK_TXN_KILL9=0 skips it.
// It compiles its own build (the broker runs as a child process) and then runs ~10-20 s. It used to hang in
// librdkafka's send_offsets_to_transaction after a restart: see metadata.recovery.strategy in transactions-ctp.py.
const ENABLED = existsSync(PYTHON) && process.env.BROOK_TXN_KILL9 !== '0';

beforeAll(async () => {
  if (!ENABLED) return;
  compiled = compileBroker('brook-txn-kill9');
  dir = await mkdtemp(join(tmpdir(), 'brook-txn-kill9-'));
  writeFileSync(CLIENT_LOG, '');
  writeFileSync(BROKER_LOG, '');
}, 180_000);
afterAll(async () => {
  child?.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Committed values of a partition as a read_committed client sees them (aborted transactions dropped). */
async function readCommitted(client: KafkaTestClient, topic: string, partition: number): Promise<string[]> {
  const out: string[] = [];
  let offset = 0n;
  for (let guard = 0; guard < 10_000; guard++) {
    const res = (await client.request(API_CODECS.get(1)! as any, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 24, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 22, currentLeaderEpoch: -1, logStartOffset: -1n }] }],
    })) as any;
    const p = res.responses[0].partitions[0];
    const blob: Buffer | null = p.records;
    if (!blob || blob.length === 0) break;
    const aborted: Array<{ producerId: bigint; firstOffset: bigint }> = [...(p.abortedTransactions ?? [])].sort((a, b) => Number(a.firstOffset - b.firstOffset));
    const abortedPids = new Set<bigint>();
    for (const b of batches(blob)) {
      if (b.partial) break;
      const base = blob.readBigInt64BE(b.pos + BASE_OFFSET);
      const pid = blob.readBigInt64BE(b.pos + PRODUCER_ID);
      while (aborted.length > 0 && aborted[0]!.firstOffset <= base) abortedPids.add(aborted.shift()!.producerId);
      const recs = [...iterateRecords(blob, b.pos)];
      offset = recs.length > 0 ? recs[recs.length - 1]!.offset + 1n : base + 1n;
      if (blob.readInt16BE(b.pos + ATTRIBUTES) & CONTROL_FLAG) {
        abortedPids.delete(pid);
        continue;
      }
      if (abortedPids.has(pid)) continue;
      for (const r of recs) out.push(r.value!.toString());
    }
  }
  return out;
}

it.skipIf(!ENABLED)('consume-transform-produce with confluent-kafka: exactly once across two kill -9 restarts', async () => {
  const port = await freePort();
  child = await startChild(port);
  let client = await KafkaTestClient.connect(port);
  const created = (await client.request(API_CODECS.get(19)! as any, 4, {
    topics: [{ name: 'ctp-in', numPartitions: 3, replicationFactor: 1 }, { name: 'ctp-out', numPartitions: 3, replicationFactor: 1 }], timeoutMs: 10_000,
  })) as any;
  expect(created.topics.map((t: { errorCode: number }) => t.errorCode)).toEqual([0, 0]);
  for (let p = 0; p < 3; p++) {
    for (let i = 0; i < INPUT / 3; i += 500) {
      const values = Array.from({ length: 500 }, (_, k) => `p${p}-${i + k}`);
      expect((await produce(client, 'ctp-in', p, batchOf(values))).errorCode).toBe(0);
    }
  }
  await client.close();

  const py = spawn(PYTHON, [join(import.meta.dirname, 'transactions-ctp.py'), `127.0.0.1:${port}`, 'ctp-in', 'ctp-out', 'ctp-group', 'ctp-tx', String(INPUT)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let committed = 0;
  const exited = new Promise<number>((res) => py.on('close', (code) => res(code ?? -1)));
  const onData = (d: Buffer) => {
    log += d.toString();
    appendFileSync(CLIENT_LOG, d);
    for (const m of d.toString().matchAll(/committed (\d+)/g)) committed = Math.max(committed, Number(m[1]));
  };
  py.stdout.on('data', onData);
  py.stderr.on('data', onData);

  const waitCommitted = async (n: number) => {
    const deadline = Date.now() + 90_000;
    while (committed < n) {
      if (Date.now() > deadline) {
        py.kill('SIGUSR1');
        const dc = await KafkaTestClient.connect(port);
        const d = (await dc.request(API_CODECS.get(65)! as any, 0, { transactionalIds: ['ctp-tx'] })) as any;
        log += `\nDESCRIBE ${JSON.stringify(d, (_, v) => (typeof v === 'bigint' ? String(v) : v))}\n`;
        await dc.close();
        await new Promise((r) => setTimeout(r, 1000));
        appendFileSync(CLIENT_LOG, `\nDESCRIBE ${JSON.stringify(d, (_, v) => (typeof v === 'bigint' ? String(v) : v))}\n`);
        py.kill('SIGKILL');
      }
      if (Date.now() > deadline) throw new Error(`stuck at ${committed} committed:\n${log.slice(-3000)}`);
      if (py.exitCode !== null) throw new Error(`python exited early:\n${log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  for (const at of [INPUT / 4, INPUT / 2]) {
    await waitCommitted(at);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    await new Promise((r) => setTimeout(r, 500));
    child = await startChild(port);
  }
  // The client gives up at its own deadline; a librdkafka call that never returns is ended here (stack dumped first).
  const watchdog = setTimeout(() => {
    py.kill('SIGUSR1');
    setTimeout(() => py.kill('SIGKILL'), 1000);
  }, 150_000);
  const code = await exited;
  clearTimeout(watchdog);
  py.kill('SIGKILL');
  expect(code, log.slice(-3000)).toBe(0);

  client = await KafkaTestClient.connect(port);
  try {
    const seen = new Map<string, number>();
    for (let p = 0; p < 3; p++) for (const v of await readCommitted(client, 'ctp-out', p)) seen.set(v, (seen.get(v) ?? 0) + 1);
    const missing: string[] = [];
    for (let p = 0; p < 3; p++) for (let i = 0; i < INPUT / 3; i++) if (!seen.has(`out:p${p}-${i}`)) missing.push(`p${p}-${i}`);
    const dups = [...seen].filter(([, n]) => n > 1).map(([v, n]) => `${v}×${n}`);
    expect(missing.slice(0, 10)).toEqual([]);
    expect(dups.slice(0, 10)).toEqual([]);
    expect(seen.size).toBe(INPUT);
    const d = (await client.request(API_CODECS.get(65)! as any, 0, { transactionalIds: ['ctp-tx'] })) as any;
    expect(d.transactionStates[0]).toMatchObject({ errorCode: 0, transactionState: 'CompleteCommit' });
  } finally {
    await client.close();
  }
}, 300_000);
