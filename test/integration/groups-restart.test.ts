/**
 * Committed offsets survive a broker restart: a clean close/start of an in-process broker on the
 * same log.dirs, and kill -9 of a child-process broker (the compiled CLI). After each, the offsets
 * read back intact and a consumer of the group resumes from them: it receives only what was
 * produced after the commit.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker } from '../../src/broker.js';
import { compileBroker, freePort, startChildBroker } from '../helpers/child-broker.js';
import { kafkaFor, produceValues, startConsumer, waitFor } from './groups-helpers.js';

let compiled: string;
const PARTITIONS = 3;
const BROKER_CONFIG = {
  'group.initial.rebalance.delay.ms': 0,
  'group.min.session.timeout.ms': 1000,
  'offsets.topic.num.partitions': 5,
};
let dirs: string[] = [];
let child: ChildProcess | null = null;

const startChild = (port: number, dir: string) => startChildBroker({ compiled, port, logDirs: dir, overrides: BROKER_CONFIG });

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'brook-groups-'));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  compiled = compileBroker('brook-groups-test');
}, 180_000);
afterAll(async () => {
  child?.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Consumes everything of the topic in `groupId` and waits until the commits reach the log end. */
async function consumeAndCommit(kafka: Kafka, groupId: string, topic: string, values: string[], ends: () => Promise<number[]>): Promise<void> {
  const c = await startConsumer(kafka, groupId, topic);
  await waitFor('all consumed', () => values.every((v) => c.seen.has(v)));
  const admin = kafka.admin();
  await admin.connect();
  const want = await ends();
  await waitFor('commits at the log end', async () => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return t.partitions.every((p) => Number(p.offset) === want[p.partition]);
  });
  await admin.disconnect();
  await c.consumer.disconnect();
}

/** After the restart: offsets intact, and a consumer of the group gets only the new messages. */
async function expectResume(kafka: Kafka, groupId: string, topic: string, expected: number[], oldValues: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  expect(t.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset))).toEqual(expected);
  const fresh = await produceValues(kafka, topic, 'after-restart', 30, PARTITIONS);
  const c = await startConsumer(kafka, groupId, topic);
  try {
    await waitFor('the new messages', () => fresh.every((v) => c.seen.has(v)));
    await new Promise((r) => setTimeout(r, 300));
    expect(oldValues.filter((v) => c.seen.has(v))).toEqual([]);
  } finally {
    await c.consumer.disconnect();
  }
}

async function createTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();
}

it('committed offsets survive a clean restart and the group resumes from them', async () => {
  const dir = await tempDir();
  const config = { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'log.level': 'silent', ...BROKER_CONFIG };
  let broker = await startBroker({ storage: 'file', config });
  let kafka = kafkaFor(broker.bootstrap);
  await createTopic(kafka, 'restart-clean');
  const values = await produceValues(kafka, 'restart-clean', 'before', 90, PARTITIONS);
  const ends = async () => [0, 1, 2].map((p) => broker.services.storage.getPartition('restart-clean', p)!.logEndOffset());
  await consumeAndCommit(kafka, 'g-clean', 'restart-clean', values, ends);
  const expected = await ends();
  await broker.close();

  broker = await startBroker({ storage: 'file', config });
  try {
    kafka = kafkaFor(broker.bootstrap);
    await expectResume(kafka, 'g-clean', 'restart-clean', expected, values);
  } finally {
    await broker.close();
  }
});

it('committed offsets survive kill -9 of the broker and the group resumes from them', async () => {
  const dir = await tempDir();
  const port = await freePort();
  child = await startChild(port, dir);
  const kafka = kafkaFor(`127.0.0.1:${port}`);
  await createTopic(kafka, 'restart-kill');
  const values = await produceValues(kafka, 'restart-kill', 'before', 90, PARTITIONS);
  const ends = async () => {
    const admin = kafka.admin();
    await admin.connect();
    const o = await admin.fetchTopicOffsets('restart-kill');
    await admin.disconnect();
    return o.sort((a, b) => a.partition - b.partition).map((p) => Number(p.high));
  };
  await consumeAndCommit(kafka, 'g-kill', 'restart-kill', values, ends);
  const expected = await ends();
  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));

  child = await startChild(port, dir);
  await expectResume(kafkaFor(`127.0.0.1:${port}`), 'g-kill', 'restart-kill', expected, values);
  child.kill('SIGTERM');
});
