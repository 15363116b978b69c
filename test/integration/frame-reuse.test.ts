/**
 * Produce request frames are pooled and reused once their appends are written
 * (RequestContext.releaseRequestBytes). Over real sockets, with both engines: a client pipelines
 * produce requests of several partitions each (acks 0, 1 and all) while another connection keeps
 * fetching the tail; afterwards every record reads back exactly as sent. The tail cache is small,
 * so its pooled copies are dropped and reused too, some while responses still hold them. A buffer
 * reused while the log, the tail cache or a response still needed its bytes shows up as a wrong value.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { bufferPool } from '../../src/protocol/primitives/buffer-pool.js';
import { KafkaTestClient, Produce, batchOf, consumeAll, fetchOnce, recordsOf } from '../helpers/kafka-client.js';

const PARTITIONS = 4;
const REQUESTS = 120;
const PER_BATCH = 12;

const value = (req: number, p: number, i: number) => `${req}/${p}/${i}/${String.fromCharCode(97 + ((req * 7 + p * 3 + i) % 26)).repeat(600 + ((req + i) % 97))}`;

let broker: RunningBroker | null = null;
let dir: string | null = null;
afterEach(async () => {
  await broker?.close();
  broker = null;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe('produce frames are reused only once nothing needs their bytes', () => {
  for (const storage of ['file', 'memory'] as const) {
    it(`${storage} engine: every record reads back as sent, and frames were taken from the pool again`, async () => {
      dir = await mkdtemp(join(tmpdir(), 'brook-frame-reuse-'));
      broker = await startBroker({ storage, port: 0, config: { 'log.dirs': dir, 'log.level': 'silent', 'log.segment.bytes': 1024 * 1024, 'log.tail.cache.bytes': 256 * 1024 } });
      const topic = 'reuse';
      expect((await broker.services.topics.createTopic({ name: topic, numPartitions: PARTITIONS })).errorCode).toBe(0);
      const producer = await KafkaTestClient.connect(broker.port);
      const tail = await KafkaTestClient.connect(broker.port);
      const taken = bufferPool.taken;
      const allocated = bufferPool.allocated;
      let producing = true;
      // A reader at the tail: its responses hold tail-cache copies while frames are reused.
      const tailing = (async () => {
        const next = new Array<bigint>(PARTITIONS).fill(0n);
        while (producing) {
          for (let p = 0; p < PARTITIONS; p++) {
            const { partition } = await fetchOnce(tail, topic, p, next[p], { maxWaitMs: 5 });
            const rs = recordsOf(partition?.records ?? null);
            if (rs.length > 0) next[p] = rs[rs.length - 1].offset + 1n;
          }
        }
      })();
      try {
        const inFlight: Promise<unknown>[] = [];
        for (let req = 0; req < REQUESTS; req++) {
          const acks = [1, -1, 0][req % 3];
          const partitionData = Array.from({ length: PARTITIONS }, (_, p) => ({
            index: p,
            records: batchOf(Array.from({ length: PER_BATCH }, (_, i) => value(req, p, i))),
          }));
          const body = { acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData }] };
          if (acks === 0) {
            producer.socket.write(producer.frame(Produce, 9, body).bytes);
          } else {
            inFlight.push(
              producer.request(Produce, 9, body).then((res) => {
                for (const r of res.responses[0].partitionResponses) expect(r.errorCode).toBe(0);
              }),
            );
          }
          if (inFlight.length >= 5) await inFlight.shift();
        }
        await Promise.all(inFlight);
      } finally {
        producing = false;
        await tailing;
      }

      const expected = REQUESTS * PER_BATCH;
      for (let p = 0; p < PARTITIONS; p++) {
        for (let i = 0; i < 100 && broker.services.storage.getPartition(topic, p)!.logEndOffset() < expected; i++) await new Promise((r) => setTimeout(r, 20));
        const records = await consumeAll(tail, topic, p, 0, expected);
        expect(records.map((r) => r.value!.toString())).toEqual(
          Array.from({ length: REQUESTS }, (_, req) => Array.from({ length: PER_BATCH }, (_, i) => value(req, p, i))).flat(),
        );
      }
      expect(bufferPool.taken - taken).toBeGreaterThanOrEqual(REQUESTS);
      expect(bufferPool.allocated - allocated).toBeLessThan((bufferPool.taken - taken) / 2);
      producer.socket.destroy();
      tail.socket.destroy();
    });
  }
});
