/** Helpers for the compaction tests: keyed batches and a whole-log record dump. */
import { buildRecordBatch, iterateRecords } from '../../src/protocol/records/index.js';
import { batchCrcValid, entrySize, readBatchHeader } from '../../src/protocol/records/batch-header.js';
import type { AppendBatch, PartitionLog } from '../../src/storage/engine.js';

export function keyed(
  records: { key: string | null; value: string | null }[],
  opts: { timestamp?: number; producerId?: number; transactional?: boolean; compression?: number } = {},
): AppendBatch {
  const ts = opts.timestamp ?? 1_000;
  const buf = buildRecordBatch({
    records: records.map((r) => ({ key: r.key, value: r.value, timestamp: ts })),
    producerId: opts.producerId,
    producerEpoch: opts.producerId === undefined ? -1 : 0,
    baseSequence: opts.producerId === undefined ? -1 : 0,
    transactional: opts.transactional,
    compression: opts.compression,
  });
  return { buf, offsetCount: records.length, maxTimestamp: ts };
}

export interface DumpedRecord {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  control: boolean;
}

export interface Dump {
  records: DumpedRecord[];
  batches: { baseOffset: number; lastOffset: number; count: number; attributes: number; baseTimestamp: number; crcOk: boolean }[];
}

/** Reads the whole log from its start, checking every batch's CRC and contiguity of offsets. */
export async function dumpLog(log: PartitionLog, from = log.logStartOffset()): Promise<Dump> {
  const out: Dump = { records: [], batches: [] };
  let off = from;
  while (off < log.logEndOffset()) {
    const { chunks } = await log.read(off, 1 << 20, true);
    if (chunks.length === 0) throw new Error(`empty read at ${off} < ${log.logEndOffset()}`);
    for (const c of chunks) {
      let p = 0;
      while (p < c.length) {
        const size = entrySize(c, p);
        const h = readBatchHeader(c, p);
        const last = Number(h.baseOffset) + h.lastOffsetDelta;
        out.batches.push({
          baseOffset: Number(h.baseOffset),
          lastOffset: last,
          count: h.recordCount,
          attributes: h.attributes,
          baseTimestamp: Number(h.baseTimestamp),
          crcOk: batchCrcValid(c, p, size),
        });
        if (last >= off) {
          for (const r of iterateRecords(c, p)) {
            if (Number(r.offset) < off) continue;
            out.records.push({
              offset: Number(r.offset),
              key: r.key === null ? null : r.key.toString(),
              value: r.value === null ? null : r.value.toString(),
              timestamp: Number(r.timestamp),
              control: (h.attributes & 0x20) !== 0,
            });
          }
          off = last + 1;
        }
        p += size;
      }
    }
  }
  return out;
}
