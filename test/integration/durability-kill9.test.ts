/**
 * kill -9 during acks=all production: the broker runs as a child process (the compiled CLI), the test
 * produces with acks=-1 over several pipelined connections and records every acknowledged offset, then
 * SIGKILLs the broker mid-stream and restarts it on the same log.dirs. Every acknowledged record must
 * be there with its value, the tail (anything unacknowledged) repaired, and new produce accepted.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateTopics } from '../../src/protocol/index.js';
import { compileBroker, freePort, startChildBroker } from '../helpers/child-broker.js';
import { KafkaTestClient, batchOf, consumeAll, produce } from '../helpers/kafka-client.js';

let compiled: string;
const PARTITIONS = 3;
let dir: string;
let child: ChildProcess | null = null;

const startChild = (port: number) => startChildBroker({ compiled, port, logDirs: dir });

beforeAll(async () => {
  compiled = compileBroker('brook-durability-test');
  dir = await mkdtemp(join(tmpdir(), 'brook-kill9-'));
}, 120_000);
afterAll(async () => {
  child?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

it('keeps every record acknowledged with acks=all across kill -9, repairs the tail, accepts produce after', async () => {
  const port = await freePort();
  child = await startChild(port);
  const admin = await KafkaTestClient.connect(port);
  const created = await admin.request(CreateTopics, 4, { topics: [{ name: 'k9', numPartitions: PARTITIONS, replicationFactor: 1 }], timeoutMs: 10_000 });
  expect(created.topics[0]!.errorCode).toBe(0);
  await admin.close();

  // Acknowledged: partition → offset → value.
  const acked = new Map<number, Map<number, string>>();
  for (let p = 0; p < PARTITIONS; p++) acked.set(p, new Map());
  let stop = false;
  const errors: number[] = [];
  const producers = Array.from({ length: 4 }, async (_, w) => {
    const c = await KafkaTestClient.connect(port);
    let n = 0;
    while (!stop) {
      // Several requests in flight per connection: the kill lands between fsyncs and acknowledgements.
      const inflight = Array.from({ length: 4 }, () => {
        const p = n % PARTITIONS;
        const values = Array.from({ length: 20 }, (_, i) => `w${w}-n${n}-i${i}`);
        n++;
        return produce(c, 'k9', p, batchOf(values), { acks: -1 }).then(
          (r) => {
            if (r.errorCode === 0) values.forEach((v, i) => acked.get(p)!.set(Number(r.baseOffset) + i, v));
            else errors.push(r.errorCode);
          },
          () => {
            stop = true; // the connection is gone: the broker was killed
          },
        );
      });
      await Promise.all(inflight);
    }
    c.socket.destroy();
  });
  const deadline = Date.now() + 60_000;
  while ([...acked.values()].reduce((s, m) => s + m.size, 0) < 20_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));
  stop = true;
  await Promise.all(producers);
  const ackedCount = [...acked.values()].reduce((s, m) => s + m.size, 0);
  expect(errors).toEqual([]);
  expect(ackedCount).toBeGreaterThan(0);

  child = await startChild(port);
  const c = await KafkaTestClient.connect(port);
  let found = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const want = acked.get(p)!;
    const maxAcked = Math.max(-1, ...want.keys());
    const records = await consumeAll(c, 'k9', p, 0, maxAcked + 1);
    const byOffset = new Map(records.map((r) => [Number(r.offset), r.value!.toString()]));
    for (const [offset, value] of want) {
      expect(byOffset.get(offset), `k9-${p}@${offset}`).toBe(value);
      found++;
    }
    // The repaired log takes new writes right after what survived.
    const after = await produce(c, 'k9', p, batchOf(['after-restart']), { acks: -1 });
    expect(after.errorCode).toBe(0);
    expect(Number(after.baseOffset)).toBeGreaterThan(maxAcked);
  }
  expect(found).toBe(ackedCount);
  await c.close();
  child.kill('SIGTERM');
  await new Promise((r) => child!.once('exit', r));
  child = null;
}, 180_000);
