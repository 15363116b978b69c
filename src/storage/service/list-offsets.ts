/**
 * ListOffsets for one partition: the special timestamps (earliest, latest, max timestamp, earliest
 * local, latest tiered) and lookups by time through the time index. A lookup by time narrows the
 * storage's batch-level answer to the first record at or after the target, as Kafka does; that decodes
 * one batch, which is fine off the produce/fetch path.
 *
 * Leader epochs: Brook keeps one epoch per partition (from the topic registry) and every batch is
 * stamped with it, so earliest/latest answer that epoch and lookups answer the batch's own epoch.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { PARTITION_LEADER_EPOCH, batches, iterateRecords } from '../../protocol/records/index.js';
import type { PartitionLog, TimestampLookup } from '../engine.js';
import {
  EARLIEST_LOCAL_TIMESTAMP, EARLIEST_TIMESTAMP, LATEST_TIERED_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP, NO_LEADER_EPOCH,
  NO_TIMESTAMP, UNKNOWN_OFFSET, storageErrorCode,
} from './common.js';

/** The first ListOffsets version that knows each special timestamp; below it the value is a plain time. */
const MAX_TIMESTAMP_VERSION = 7;
const EARLIEST_LOCAL_VERSION = 8;
const LATEST_TIERED_VERSION = 9;

export interface OffsetAnswer {
  errorCode: number;
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

export const noOffset = (errorCode: number = ErrorCode.NONE): OffsetAnswer => ({
  errorCode,
  timestamp: NO_TIMESTAMP,
  offset: UNKNOWN_OFFSET,
  leaderEpoch: NO_LEADER_EPOCH,
});

/**
 * The answer for `target` (a special timestamp or a time in ms). `lastStableOffset` bounds what
 * read_committed may see; it equals the log end offset until transactions exist.
 */
export async function listOffset(log: PartitionLog, leaderEpoch: number, target: number, version: number, lastStableOffset?: number): Promise<OffsetAnswer> {
  const ok = (offset: number, timestamp = NO_TIMESTAMP, epoch = leaderEpoch): OffsetAnswer => ({ errorCode: ErrorCode.NONE, timestamp, offset, leaderEpoch: epoch });
  const end = lastStableOffset ?? log.logEndOffset();
  try {
    if (target === LATEST_TIMESTAMP) return ok(end);
    if (target === EARLIEST_TIMESTAMP) return ok(log.logStartOffset());
    if (target === EARLIEST_LOCAL_TIMESTAMP && version >= EARLIEST_LOCAL_VERSION) return ok(log.logStartOffset());
    // Without tiered storage Kafka answers "nothing tiered": offset -1, epoch -1.
    if (target === LATEST_TIERED_TIMESTAMP && version >= LATEST_TIERED_VERSION) return noOffset();
    if (target === MAX_TIMESTAMP && version >= MAX_TIMESTAMP_VERSION) {
      const max = await log.maxTimestamp();
      if (!max) return noOffset();
      const exact = await exactRecord(log, max, (ts) => ts === max.timestamp);
      return exact.offset < end ? exact : noOffset();
    }
    const found = await log.offsetForTimestamp(target);
    if (!found) return noOffset();
    const exact = await exactRecord(log, found, (ts) => ts >= target);
    return exact.offset < end ? exact : noOffset();
  } catch (err) {
    return noOffset(storageErrorCode(err));
  }
}

/**
 * Narrows a batch-level lookup to the first record of that batch matching `accept` (Kafka answers
 * record offsets). Falls back to the storage's answer if the batch cannot be decoded.
 */
async function exactRecord(log: PartitionLog, hit: TimestampLookup, accept: (timestamp: number) => boolean): Promise<OffsetAnswer> {
  const fallback: OffsetAnswer = { errorCode: ErrorCode.NONE, timestamp: hit.timestamp, offset: hit.offset, leaderEpoch: NO_LEADER_EPOCH };
  const read = await log.read(hit.offset, 1, true);
  const chunk = read.chunks[0];
  if (!chunk) return fallback;
  for (const span of batches(chunk)) {
    if (span.partial || span.magic !== 2) break;
    const epoch = chunk.readInt32BE(span.pos + PARTITION_LEADER_EPOCH);
    fallback.leaderEpoch = epoch >= 0 ? epoch : NO_LEADER_EPOCH;
    try {
      for (const r of iterateRecords(chunk, span.pos)) {
        const ts = Number(r.timestamp);
        if (r.offset >= BigInt(log.logStartOffset()) && accept(ts)) {
          return { errorCode: ErrorCode.NONE, timestamp: ts, offset: Number(r.offset), leaderEpoch: fallback.leaderEpoch };
        }
      }
    } catch {
      return fallback;
    }
    break;
  }
  return fallback;
}

/**
 * ListOffsets v0's old_style_offsets, modelled on Kafka's legacy answer for a log of one segment (whose
 * last-modified time is its last append, approximated by its largest timestamp): latest → [log end,
 * log start], earliest → [log start], a time → [log end, log start] when it is at or after that, else
 * nothing; an empty log answers [log start]. Newest first, at most `max` entries.
 */
export async function legacyOffsets(log: PartitionLog, target: number, max: number): Promise<number[]> {
  const start = log.logStartOffset();
  const end = log.logEndOffset();
  const both = end > start ? [end, start] : [start];
  let out: number[];
  if (target === LATEST_TIMESTAMP) out = both;
  else if (target === EARLIEST_TIMESTAMP) out = [start];
  else {
    const newest = await log.maxTimestamp();
    out = newest === null || target >= newest.timestamp ? both : [];
  }
  return out.slice(0, Math.max(0, max));
}
