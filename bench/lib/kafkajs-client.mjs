// kafkajs throughput and group-join loops, run as a child process by bench/run.mjs:
//   node bench/lib/kafkajs-client.mjs produce '{"bootstrap":"127.0.0.1:9092","topic":"t","count":100000,"size":1024,"acks":1}'
//   node bench/lib/kafkajs-client.mjs consume '{"bootstrap":…,"topic":"t","count":100000,"group":"g"}'
//   node bench/lib/kafkajs-client.mjs group-join '{"bootstrap":…,"topic":"t","partitions":12,"members":3,"group":"g"}'
// Prints one JSON line with the figures. KJS_MAXWAIT=ms overrides the consumers' fetch maxWaitTimeInMs
// (kafkajs default 5000; a member parked in a long-poll Fetch rejoins a rebalance only after it returns).
import { createRequire } from 'node:module';

const { Kafka, logLevel } = createRequire(import.meta.url)('kafkajs');
const [mode, json] = process.argv.slice(2);
const a = JSON.parse(json);
const kafka = new Kafka({ clientId: 'brook-bench', brokers: [a.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8 } });

async function produce() {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const perSend = a.perSend ?? 1000;
  const inFlight = a.inFlight ?? 4;
  const value = Buffer.alloc(a.size, 0x61);
  const messages = Array.from({ length: perSend }, () => ({ value }));
  const sends = Math.ceil(a.count / perSend);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < sends) {
        next++;
        await producer.send({ topic: a.topic, acks: a.acks ?? 1, messages });
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  await producer.disconnect();
  const records = sends * perSend;
  return { records, seconds: s, recordsPerSec: records / s, mibPerSec: (records * a.size) / s / 1048576 };
}

async function consume() {
  const consumer = kafka.consumer({ groupId: a.group, maxBytes: 64 << 20, maxBytesPerPartition: 16 << 20, heartbeatInterval: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topic: a.topic, fromBeginning: true });
  let n = 0;
  let bytes = 0;
  let first = null;
  let joined = null;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (joined === null) joined = performance.now();
  });
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${n} of ${a.count} in ${a.timeoutMs ?? 300000} ms`)), a.timeoutMs ?? 300000);
    consumer
      .run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          if (first === null) first = performance.now();
          for (const m of batch.messages) bytes += m.value ? m.value.length : 0;
          n += batch.messages.length;
          if (n >= a.count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  const end = performance.now();
  await consumer.disconnect();
  // From the assignment (group joined) to the last record: the fetch time, not the join.
  const s = (end - (joined ?? first)) / 1000;
  return { records: n, seconds: s, joinMs: (joined ?? first) - t0, recordsPerSec: n / s, mibPerSec: bytes / s / 1048576 };
}

/** N consumers join one group at once; done when their latest assignments cover every partition once. */
async function groupJoin() {
  const members = [];
  const latest = new Map();
  let doneAt = null;
  let resolveDone;
  const allJoined = new Promise((r) => (resolveDone = r));
  const check = () => {
    if (doneAt !== null || latest.size < a.members) return;
    const seen = new Map();
    for (const asg of latest.values()) for (const p of asg[a.topic] || []) seen.set(p, (seen.get(p) || 0) + 1);
    if (seen.size === a.partitions && [...seen.values()].every((c) => c === 1)) {
      doneAt = performance.now();
      resolveDone();
    }
  };
  const t0 = performance.now();
  for (let i = 0; i < a.members; i++) {
    const c = kafka.consumer({ groupId: a.group, heartbeatInterval: a.heartbeatMs ?? 500, sessionTimeout: 10000, rebalanceTimeout: 10000, ...(process.env.KJS_MAXWAIT ? { maxWaitTimeInMs: Number(process.env.KJS_MAXWAIT) } : {}) });
    c.on(c.events.GROUP_JOIN, (e) => {
      latest.set(i, e.payload.memberAssignment || {});
      check();
    });
    members.push(c);
  }
  await Promise.all(
    members.map(async (c) => {
      await c.connect();
      await c.subscribe({ topic: a.topic, fromBeginning: false });
      await c.run({ eachBatch: async () => {} });
    }),
  );
  const timeout = new Promise((_, rej) => setTimeout(() => rej(new Error(`group of ${a.members} not stable after 120 s`)), 120000));
  await Promise.race([allJoined, timeout]);
  const joinMs = doneAt - t0;
  await Promise.all(members.map((c) => c.disconnect().catch(() => {})));
  return { members: a.members, joinMs };
}

const fn = { produce, consume, 'group-join': groupJoin }[mode];
try {
  const r = await fn();
  console.log(JSON.stringify(r));
  process.exit(0);
} catch (e) {
  console.error(`FAIL: ${e?.stack || e}`);
  process.exit(1);
}
