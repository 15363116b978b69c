/**
 * Idempotent producers through a proxy that loses Produce responses (closing the connection after
 * the broker appended): kafkajs (idempotent, maxInFlightRequests 1) and librdkafka (confluent-kafka,
 * enable.idempotence) each write 100k records; every record is read back exactly once. Also: a
 * sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER, an old epoch INVALID_PRODUCER_EPOCH, and dedup
 * survives a restart (the producer state is rebuilt from the log).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { API_CODECS } from '../../src/protocol/generated/index.js';
import { buildRecordBatch } from '../../src/protocol/records/index.js';
import { KafkaTestClient, consumeAll, produce } from '../helpers/kafka-client.js';
import { type FaultProxy, startFaultProxy } from './idempotence-proxy.js';

const { Kafka, logLevel } = kafkajs;
const RECORDS = 100_000;
const PYTHON = join(process.cwd(), 'compat-tests/.cache/venv/bin/python');

let broker: RunningBroker;
let proxy: FaultProxy;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brook-idem-'));
  // Every 5th Produce response is lost (after the broker appended), and the connection closed.
  proxy = await startFaultProxy({ dropProduceResponse: (n) => n % 5 === 3 });
  broker = await startBroker({
    storage: 'file',
    config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}`, 'log.dirs': dir, 'log.level': 'silent', 'transaction.state.log.num.partitions': 1 },
  });
  proxy.setTarget(broker.listeners[0]!.port);
});
afterAll(async () => {
  await proxy?.close();
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every value in the topic, counted. */
async function readBack(topic: string, partitions: number): Promise<Map<string, number>> {
  const client = await KafkaTestClient.connect(broker.listeners[0]!.port);
  const seen = new Map<string, number>();
  try {
    for (let p = 0; p < partitions; p++) {
      const end = broker.services.storage.getPartition(topic, p)!.logEndOffset();
      for (const r of await consumeAll(client, topic, p, 0, end, { partitionMaxBytes: 1 << 20 })) {
        const v = r.value!.toString();
        seen.set(v, (seen.get(v) ?? 0) + 1);
      }
    }
  } finally {
    await client.close();
  }
  return seen;
}

/** Runs a Python script (the broker lives in this process: never block the event loop). */
export function runPython(script: string, ...args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

function expectExactlyOnce(seen: Map<string, number>, prefix: string): void {
  const missing: number[] = [];
  const dup: string[] = [];
  for (let i = 0; i < RECORDS; i++) if (!seen.has(`${prefix}${i}`)) missing.push(i);
  for (const [v, n] of seen) if (n > 1) dup.push(`${v}×${n}`);
  expect(missing.slice(0, 10)).toEqual([]);
  expect(dup.slice(0, 10)).toEqual([]);
  expect(seen.size).toBe(RECORDS);
}

describe('idempotent producers with lost Produce responses', () => {
  it('kafkajs (idempotent, maxInFlightRequests 1): 100k records, each exactly once', async () => {
    const topic = 'idem-kafkajs';
    expect((await broker.services.topics.createTopic({ name: topic, numPartitions: 3 })).errorCode).toBe(0);
    const kafka = new Kafka({ clientId: 'idem', brokers: [`127.0.0.1:${proxy.port}`], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 50 } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const droppedBefore = proxy.dropped();
    try {
      for (let start = 0; start < RECORDS; start += 2000) {
        const messages = Array.from({ length: 2000 }, (_, k) => ({ partition: (start + k) % 3, value: `j${start + k}` }));
        await producer.send({ topic, acks: -1, messages });
      }
    } finally {
      await producer.disconnect();
    }
    expect(proxy.dropped() - droppedBefore).toBeGreaterThan(5);
    expectExactlyOnce(await readBack(topic, 3), 'j');
  }, 180_000);

  it.skipIf(!existsSync(PYTHON))('librdkafka (confluent-kafka, enable.idempotence): 100k records, each exactly once', async () => {
    const topic = 'idem-rdkafka';
    expect((await broker.services.topics.createTopic({ name: topic, numPartitions: 3 })).errorCode).toBe(0);
    const script = `
import sys
from confluent_kafka import Producer
errors = []
p = Producer({"bootstrap.servers": sys.argv[1], "enable.idempotence": True, "linger.ms": 5, "batch.num.messages": 2000,
              "message.timeout.ms": 120000, "retry.backoff.ms": 50})
def cb(err, msg):
    if err is not None: errors.append(str(err))
for i in range(${RECORDS}):
    while True:
        try:
            p.produce("${topic}", value=b"r%d" % i, partition=i % 3, on_delivery=cb); break
        except BufferError:
            p.poll(0.05)
    if i % 1000 == 0: p.poll(0)
left = p.flush(120)
print("left", left, "errors", len(errors), errors[:3])
sys.exit(1 if left or errors else 0)
`;
    const droppedBefore = proxy.dropped();
    const out = await runPython(script, `127.0.0.1:${proxy.port}`);
    expect(out).toContain('left 0 errors 0');
    expect(proxy.dropped() - droppedBefore).toBeGreaterThan(2);
    expectExactlyOnce(await readBack(topic, 3), 'r');
  }, 180_000);
});

describe('sequence and epoch rules over the wire, and after a restart', () => {
  const batch = (pid: bigint, epoch: number, seq: number, n = 1) =>
    buildRecordBatch({ records: Array.from({ length: n }, (_, i) => ({ value: `s${seq + i}` })), producerId: pid, producerEpoch: epoch, baseSequence: seq });

  it('gap → OUT_OF_ORDER_SEQUENCE_NUMBER, old epoch → INVALID_PRODUCER_EPOCH, retry → original offset', async () => {
    const topic = 'idem-rules';
    await broker.services.topics.createTopic({ name: topic, numPartitions: 1 });
    const client = await KafkaTestClient.connect(broker.listeners[0]!.port);
    try {
      const init = await client.request(API_CODECS.get(22)! as any, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
      const pid = (init as { producerId: bigint }).producerId;
      expect((await produce(client, topic, 0, batch(pid, 0, 0, 3))).errorCode).toBe(0);
      expect((await produce(client, topic, 0, batch(pid, 0, 3, 2))).baseOffset).toBe(3n);
      expect((await produce(client, topic, 0, batch(pid, 0, 7))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      const dup = await produce(client, topic, 0, batch(pid, 0, 0, 3));
      expect([dup.errorCode, dup.baseOffset]).toEqual([0, 0n]);
      expect((await produce(client, topic, 0, batch(pid, 1, 0))).baseOffset).toBe(5n); // new epoch from 0
      expect((await produce(client, topic, 0, batch(pid, 0, 5))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
      expect((await produce(client, topic, 0, batch(pid, 2, 3))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    } finally {
      await client.close();
    }
    expect(broker.services.storage.getPartition(topic, 0)!.logEndOffset()).toBe(6);
  });
});

describe('producer ids and producer state survive a restart', () => {
  it('dedup after restart; producer ids never reused', async () => {
    const d = await mkdtemp(join(tmpdir(), 'brook-idem-restart-'));
    const cfg = { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': d, 'log.level': 'silent', 'transaction.state.log.num.partitions': 2 };
    const pids: bigint[] = [];
    const batch = (pid: bigint, seq: number) => buildRecordBatch({ records: [{ value: `x${seq}` }], producerId: pid, producerEpoch: 0, baseSequence: seq });
    try {
      for (let round = 0; round < 2; round++) {
        const b = await startBroker({ storage: 'file', config: cfg });
        const client = await KafkaTestClient.connect(b.port);
        try {
          if (round === 0) await b.services.topics.createTopic({ name: 'r', numPartitions: 1 });
          for (let i = 0; i < 3; i++) {
            const res = (await client.request(API_CODECS.get(22)! as any, 4, { transactionalId: null, transactionTimeoutMs: 1, producerId: -1n, producerEpoch: -1 })) as { errorCode: number; producerId: bigint };
            expect(res.errorCode).toBe(0);
            pids.push(res.producerId);
          }
          if (round === 0) {
            expect((await produce(client, 'r', 0, batch(pids[0]!, 0))).baseOffset).toBe(0n);
            expect((await produce(client, 'r', 0, batch(pids[0]!, 1))).baseOffset).toBe(1n);
          } else {
            const again = await produce(client, 'r', 0, batch(pids[0]!, 1));
            expect([again.errorCode, again.baseOffset]).toEqual([0, 1n]);
            expect((await produce(client, 'r', 0, batch(pids[0]!, 3))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
            expect(b.services.storage.getPartition('r', 0)!.logEndOffset()).toBe(2);
          }
        } finally {
          await client.close();
          await b.close();
        }
      }
      expect(new Set(pids).size).toBe(6);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });
});
