/**
 * Helpers for the consumer-group integration tests: kafkajs clients against an in-process broker,
 * group state read back through the admin API, and a kafkajs consumer in a child process (so it can
 * be killed without a LeaveGroup).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import kafkajs, { type Consumer, type Kafka as KafkaT } from 'kafkajs';

const { Kafka, logLevel, AssignerProtocol } = kafkajs;

export const SESSION_MS = 3000;

export function kafkaFor(bootstrap: string, clientId = 'groups-test'): KafkaT {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 1000 } });
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A started kafkajs consumer that records every value it sees. */
export interface TestConsumer {
  consumer: Consumer;
  seen: Set<string>;
}

export async function startConsumer(kafka: KafkaT, groupId: string, topic: string, seenAll?: Set<string>): Promise<TestConsumer> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: SESSION_MS, heartbeatInterval: 200, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 });
  const seen = new Set<string>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = message.value!.toString();
      seen.add(v);
      seenAll?.add(v);
    },
  });
  return { consumer, seen };
}

/** The group as the broker sees it: state and each member's partitions of `topic`. */
export async function groupView(kafka: KafkaT, groupId: string, topic: string): Promise<{ state: string; owners: number[][] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const g = groups[0];
    const owners = g.members.map((m) => {
      if (m.memberAssignment.length === 0) return [];
      const a = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      return a?.assignment[topic] ?? [];
    });
    return { state: g.state, owners };
  } finally {
    await admin.disconnect();
  }
}

/** Stable with `members` members that own every partition of the topic exactly once between them. */
export async function settled(kafka: KafkaT, groupId: string, topic: string, members: number, partitions: number): Promise<boolean> {
  const v = await groupView(kafka, groupId, topic);
  if (v.state !== 'Stable' || v.owners.length !== members) return false;
  const all = v.owners.flat().sort((a, b) => a - b);
  return all.length === partitions && all.every((p, i) => p === i);
}

export async function produceValues(kafka: KafkaT, topic: string, prefix: string, n: number, partitions: number): Promise<string[]> {
  const producer = kafka.producer();
  await producer.connect();
  const values = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ value, partition: i % partitions })) });
  await producer.disconnect();
  return values;
}

/** A kafkajs consumer in a child process; SIGKILL ends it without a LeaveGroup. */
export function childConsumer(bootstrap: string, groupId: string, topic: string): { child: ChildProcess; joined: Promise<void> } {
  const script = `
    import kafkajs from 'kafkajs';
    const { Kafka, logLevel } = kafkajs;
    const kafka = new Kafka({ clientId: 'child', brokers: [${JSON.stringify(bootstrap)}], logLevel: logLevel.NOTHING });
    const c = kafka.consumer({ groupId: ${JSON.stringify(groupId)}, sessionTimeout: ${SESSION_MS}, heartbeatInterval: 200, rebalanceTimeout: 10000, maxWaitTimeInMs: 100 });
    c.on(c.events.GROUP_JOIN, () => console.log('JOINED'));
    await c.connect();
    await c.subscribe({ topic: ${JSON.stringify(topic)}, fromBeginning: true });
    await c.run({ eachMessage: async () => {} });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const joined = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('JOINED') && resolve());
    child.on('exit', (code) => reject(new Error(`child consumer exited with ${code}`)));
  });
  return { child, joined };
}
