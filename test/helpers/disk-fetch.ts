/** Filling partitions with known values and reading them back whole: the Fetch-from-disk suites. */
import { expect } from 'vitest';
import { KafkaTestClient, batchOf, fetchOnce, produce, recordsOf } from './kafka-client.js';

/** The value of record `i` in partition `p`. */
export type ValueOf = (p: number, i: number) => string;

/** Produces `batches` batches of `perBatch` records to each of `partitions` partitions. */
export async function fillPartitions(port: number, topic: string, partitions: number, batches: number, perBatch: number, value: ValueOf): Promise<void> {
  const c = await KafkaTestClient.connect(port);
  try {
    for (let p = 0; p < partitions; p++) {
      for (let b = 0; b < batches; b++) {
        const values = Array.from({ length: perBatch }, (_, k) => value(p, b * perBatch + k));
        expect((await produce(c, topic, p, batchOf(values))).errorCode).toBe(0);
      }
    }
  } finally {
    await c.close();
  }
}

/** Reads partition `p` from offset 0 up to `end` in fetches, checking every offset and value; returns the offset reached. */
export async function walkPartition(client: KafkaTestClient, topic: string, p: number, end: number, value: ValueOf, opts: { version?: number; partitionMaxBytes: number }): Promise<number> {
  let offset = 0;
  while (offset < end) {
    const { partition } = await fetchOnce(client, topic, p, offset, opts);
    expect(partition!.errorCode).toBe(0);
    const records = recordsOf(partition!.records).filter((r) => Number(r.offset) >= offset);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(Number(r.offset)).toBe(offset);
      expect(r.value?.toString()).toBe(value(p, offset));
      offset++;
    }
  }
  return offset;
}
