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
