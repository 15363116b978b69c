// Helpers for kafkajs scenarios. The runner sets BOOTSTRAP, TOPIC, GROUP, SCENARIO_TIMEOUT.
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';

export { CompressionTypes };
export const BOOTSTRAP = process.env.BOOTSTRAP;
export const TOPIC = process.env.TOPIC;
export const GROUP = process.env.GROUP || `${TOPIC}-group`;
if (!BOOTSTRAP || !TOPIC) {
  console.error('FAIL: BOOTSTRAP and TOPIC must be set');
  process.exit(1);
}
// Leave a margin under the runner's timeout so our own, more precise failure wins.
const deadline = Date.now() + Math.max(10, Number(process.env.SCENARIO_TIMEOUT || 90) - 10) * 1000;
export const remaining = () => deadline - Date.now();

export const kafka = new Kafka({
  clientId: 'brook-compat',
  brokers: [BOOTSTRAP],
  logLevel: logLevel.ERROR,
  connectionTimeout: 5000,
  requestTimeout: 15000,
  retry: { retries: 5, initialRetryTime: 200 },
});

/** Report a failure on a FAIL: line (the runner puts it on the scoreboard) and stop. */
export function fail(msg) {
  console.error(`FAIL: ${msg}`);
  process.exit(1);
}

export function check(cond, msg) {
  if (!cond) fail(typeof msg === 'function' ? msg() : msg);
}

/** Runs the scenario body; any exception becomes a FAIL line. */
export async function scenario(body) {
  try {
    await body();
    process.exit(0);
  } catch (e) {
    fail(`${e.name || 'Error'}: ${e.message}${e.type ? ` (${e.type})` : ''}`);
  }
}

export async function createTopic(admin, topic, numPartitions = 3) {
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions, replicationFactor: 1 }],
    waitForLeaders: true,
    timeout: 15000,
  });
  check(created === true, `createTopics(${topic}) returned ${created}`);
}

/** n messages {key, value, headers, partition}; explicit partitions i % partitions so counts are known. */
export function messages(n, tag, partitions = 3) {
  const pad = 'payload-'.repeat(20);
  return Array.from({ length: n }, (_, i) => ({
    key: `k${i % 11}`,
    value: `${tag}-${String(i).padStart(5, '0')}-${pad}`,
    headers: { i: String(i), tag },
    partition: i % partitions,
  }));
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Reads `topic` with a consumer group until `want` records arrived (want 0: until it joined and fetched 3
 * times), then waits `settleMs` more so extras would show, stops and disconnects the consumer (which
 * commits). Returns records in arrival order: {partition, offset, key, value, headers, ctx}, where ctx is
 * the record batch header kafkajs decoded (producerId, producerEpoch, firstSequence, inTransaction, ...).
 */
export async function readAll({ topic, groupId, want, readUncommitted = false, fromBeginning = true, settleMs = 1000, consumerOptions = {} }) {
  const consumer = kafka.consumer({ groupId, readUncommitted, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 300, ...consumerOptions });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning });
  const got = [];
  // want 0 ("nothing should come"): wait until the member has joined and completed a few fetches instead.
  let joined = false;
  let fetches = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  consumer.on(consumer.events.FETCH, () => joined && fetches++);
  await consumer.run({
    autoCommitInterval: 200,
    eachMessage: async ({ partition, message }) => {
      got.push({
        partition,
        offset: Number(message.offset),
        key: message.key?.toString(),
        value: message.value?.toString(),
        headers: Object.fromEntries(Object.entries(message.headers || {}).map(([k, v]) => [k, v?.toString()])),
        ctx: message.batchContext || {},
      });
    },
  });
  while ((want === 0 ? fetches < 3 : got.length < want) && remaining() > 0) await sleep(100);
  if (want === 0) check(fetches >= 3, `the consumer did not join ${groupId} and fetch before the deadline`);
  await sleep(settleMs);
  await consumer.stop();
  await consumer.disconnect();
  return got;
}

/**
 * Checks that `got` holds exactly the `sent` messages ({key, value, headers, partition}), per partition in
 * the order sent; `offsetOf(partition, j)` gives the expected offset of the j-th record of a partition
 * (default j: a topic holding only these records).
 */
export function checkRecords(got, sent, partitions = 3, offsetOf = (_p, j) => j) {
  check(got.length === sent.length, `consumed ${got.length} records, expected ${sent.length}`);
  for (let p = 0; p < partitions; p++) {
    const want = sent.filter((m) => m.partition === p);
    const have = got.filter((m) => m.partition === p);
    check(have.length === want.length, `partition ${p}: ${have.length} records, expected ${want.length}`);
    have.forEach((m, j) => {
      const w = want[j];
      check(m.offset === offsetOf(p, j), `partition ${p}: record ${j} at offset ${m.offset}, expected ${offsetOf(p, j)}`);
      check(m.key === w.key && m.value === w.value, () => `partition ${p} offset ${m.offset}: got ${m.key}/${m.value?.slice(0, 20)}, want ${w.key}/${w.value.slice(0, 20)}`);
      for (const [k, v] of Object.entries(w.headers || {}))
        check(m.headers[k] === v, () => `partition ${p} offset ${m.offset}: header ${k}=${m.headers[k]}, want ${v}`);
    });
  }
}

/** admin.fetchOffsets for one topic as "o0,o1,o2" (partition order). */
export async function committedOffsets(admin, groupId, topic) {
  const res = await admin.fetchOffsets({ groupId, topics: [topic] });
  const t = res.find((x) => x.topic === topic);
  return t.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset).join();
}

/** admin.fetchTopicOffsets as "high0,high1,high2". */
export async function highWatermarks(admin, topic) {
  return (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((o) => o.high).join();
}
