/**
 * Cleaning one partition log (Kafka's Cleaner, on Brook's file engine):
 *   range    the sealed inactive segments up to the first uncleanable offset: never the active
 *            segment, never a segment with records newer than min.compaction.lag.ms, never from
 *            the first still-open transaction on; whole segments only.
 *   pass A   headers of the range: aborted transactions, open transactions, producers' last batches.
 *   pass B   the offset map key → latest offset over the dirty part (from the cleaner checkpoint),
 *            skipping aborted data and control batches; capped at maxMapEntries (stops at a segment
 *            boundary, the rest waits for the next round).
 *   pass C   segments grouped up to segment.bytes are rewritten into one .cleaned segment each,
 *            keeping per key only the latest record (tombstones until their delete horizon), then
 *            swapped in (swap.ts) while produce and fetch go on. Unchanged groups are not rewritten.
 * Offsets never change; the last batch of each group and of each producer is kept (empty if need be).
 */
import type { Logger } from 'pino';
import { BATCH_HEADER_SIZE, MAX_TIMESTAMP, readBatchHeader } from '../../protocol/records/batch-header.js';
import { iterateRecords } from '../../protocol/records/record-batch.js';
import { compactionApplies } from '../engine.js';
import { writeAll, type StorageFs } from '../file/fs.js';
import type { FilePartitionLog } from '../file/partition-log.js';
import { FileSegment } from '../file/segment.js';
import { YIELD_EVERY, segmentBatches, yieldToEventLoop } from './batches.js';
import { deleteHorizonOf, emptyBatch, filterBatch, mapKey, type OffsetMap } from './filter.js';
import { cleanedPath, commitSwap, discardCleaned, finishSwap, writeCleanedIndexes } from './swap.js';
import { CleanedTxns, TxnScan, batchFacts } from './txn.js';

const WRITE_CHUNK = 1024 * 1024;
const MAX_RELATIVE_OFFSET = 0x7fffffff;

export interface CleanOptions {
  fs: StorageFs;
  now: number;
  /** Where the dirty part starts (the cleaner-offset-checkpoint entry); null when never cleaned. */
  firstDirtyOffset: number | null;
  /** Offset map capacity in keys (default 4M). */
  maxMapEntries?: number;
  logger?: Logger;
  /** Returns true to abandon the clean (broker shutdown). */
  shouldStop?: () => boolean;
  /** Test hook, awaited at each step (crash tests die at chosen points). */
  onStep?: (step: string) => void | Promise<void>;
}

export interface CleanResult {
  /** New cleaner checkpoint: everything below is clean. */
  cleanedTo: number;
  groupsSwapped: number;
  recordsRead: number;
  recordsKept: number;
  bytesBefore: number;
  bytesAfter: number;
  /** Earliest delete horizon still pending in the cleaned range (Infinity when none). */
  nextHorizon: number;
}

export interface CleanableStats {
  firstDirty: number;
  cleanBytes: number;
  dirtyBytes: number;
  ratio: number;
  /** Largest timestamp of the first dirty segment (-1 when none), for max.compaction.lag.ms. */
  firstDirtyTimestamp: number;
}

class CleanAborted extends Error {}

function dirtyStart(log: FilePartitionLog, checkpoint: number | null): number {
  const start = log.logStartOffset();
  const c = checkpoint ?? start;
  return c < start || c > log.logEndOffset() ? start : c;
}

/** Sealed segments cleanable now by time (min.compaction.lag.ms), oldest first. */
function cleanableSegments(log: FilePartitionLog, now: number): FileSegment[] {
  const lag = log.currentConfig().minCompactionLagMs ?? 0;
  const segs = log.inactiveSegments();
  if (lag <= 0) return segs;
  const young = segs.findIndex((s) => s.maxTimestamp > now - lag);
  return young < 0 ? segs : segs.slice(0, young);
}

/** Kafka's cleanable ratio: dirty bytes over all bytes of the cleanable segments. */
export function cleanableStats(log: FilePartitionLog, checkpoint: number | null, now: number): CleanableStats {
  const firstDirty = dirtyStart(log, checkpoint);
  let cleanBytes = 0;
  let dirtyBytes = 0;
  let firstDirtyTimestamp = -1;
  for (const s of cleanableSegments(log, now)) {
    if (s.nextOffset <= firstDirty) cleanBytes += s.sizeBytes;
    else {
      if (dirtyBytes === 0) firstDirtyTimestamp = s.maxTimestamp;
      dirtyBytes += s.sizeBytes;
    }
  }
  const total = cleanBytes + dirtyBytes;
  return { firstDirty, cleanBytes, dirtyBytes, ratio: total === 0 ? 0 : dirtyBytes / total, firstDirtyTimestamp };
}

export async function cleanLog(log: FilePartitionLog, opts: CleanOptions): Promise<CleanResult | null> {
  const config = log.currentConfig();
  if (!compactionApplies(config)) return null;
  const firstDirty = dirtyStart(log, opts.firstDirtyOffset);
  let segs = cleanableSegments(log, opts.now);
  if (segs.length === 0) return null;
  const check = async (step: string, batches = 0) => {
    if (opts.shouldStop?.()) throw new CleanAborted(`clean of ${log.name} stopped`);
    if (batches % YIELD_EVERY === 0) await yieldToEventLoop();
    if (opts.onStep) await opts.onStep(step);
  };

  // Pass A: transactions and producers.
  const txns = new TxnScan();
  let n = 0;
  for (const seg of segs) for await (const b of segmentBatches(log, seg)) {
    txns.add(b);
    if (++n % YIELD_EVERY === 0) await check('scan', n);
  }
  const open = txns.firstOpenOffset();
  if (open !== Infinity) segs = segs.filter((s) => s.nextOffset <= open);
  if (segs.length === 0) return null;

  // Pass B: the offset map over the dirty segments.
  const map: OffsetMap = new Map();
  const maxEntries = opts.maxMapEntries ?? 4_000_000;
  let end = segs[segs.length - 1].nextOffset;
  for (const seg of segs) {
    if (seg.nextOffset <= firstDirty) continue;
    if (map.size >= maxEntries) {
      end = seg.baseOffset;
      break;
    }
    for await (const b of segmentBatches(log, seg)) {
      const f = batchFacts(b);
      if (f.control || (f.transactional && txns.aborted.has(f.baseOffset))) continue;
      for (const r of iterateRecords(b.buf, b.pos)) if (r.key !== null) map.set(mapKey(r.key), Number(r.offset));
      if (++n % YIELD_EVERY === 0) await check('map', n);
    }
  }
  segs = segs.filter((s) => s.nextOffset <= end);
  await check('mapped');

  // Pass C: rewrite group by group.
  const result: CleanResult = {
    cleanedTo: end,
    groupsSwapped: 0,
    recordsRead: 0,
    recordsKept: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    nextHorizon: Infinity,
  };
  const ctx: GroupContext = { log, opts, map, txns, cleaned: new CleanedTxns(), result, check };
  for (const group of groupSegments(segs, config.segmentBytes)) await cleanGroup(group, ctx);
  opts.logger?.info({ partition: log.name, ...result }, 'log cleaned');
  return result;
}

/** Consecutive segments whose total size fits one segment and whose offsets fit a 32-bit relative index. */
export function groupSegments(segs: FileSegment[], maxBytes: number): FileSegment[][] {
  const groups: FileSegment[][] = [];
  let cur: FileSegment[] = [];
  let bytes = 0;
  for (const s of segs) {
    const fits = cur.length > 0 && bytes + s.sizeBytes <= maxBytes && s.nextOffset - 1 - cur[0].baseOffset <= MAX_RELATIVE_OFFSET;
    if (cur.length > 0 && !fits) {
      groups.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(s);
    bytes += s.sizeBytes;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

interface GroupContext {
  log: FilePartitionLog;
  opts: CleanOptions;
  map: OffsetMap;
  txns: TxnScan;
  cleaned: CleanedTxns;
  result: CleanResult;
  check: (step: string, batches?: number) => Promise<void>;
}

async function cleanGroup(group: FileSegment[], ctx: GroupContext): Promise<void> {
  const { log, opts, result } = ctx;
  const fs = opts.fs;
  const config = log.currentConfig();
  const seg = new FileSegment(log.dir, group[0].baseOffset);
  seg.fd = await fs.open(cleanedPath(seg, '.log', '.cleaned'), 'w+');
  let committed = false;
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let written = 0;
    let changed = false;
    let lastDropped: Buffer | null = null;
    let n = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      await writeAll(fs, seg.fd, pending, written);
      written += pendingBytes;
      pending = [];
      pendingBytes = 0;
    };
    const append = async (out: Buffer, lastOffset: number) => {
      seg.addBatch(written + pendingBytes, out.length, lastOffset, Number(out.readBigInt64BE(MAX_TIMESTAMP)), config.indexIntervalBytes);
      pending.push(out);
      pendingBytes += out.length;
      if (pendingBytes >= WRITE_CHUNK) await flush();
    };
    let horizon = Infinity;
    for (const old of group) {
      result.bytesBefore += old.sizeBytes;
      for await (const b of segmentBatches(log, old)) {
        const f = batchFacts(b);
        let discard = false;
        let markerForEmptyTxn = false;
        if (f.control && f.transactional) {
          markerForEmptyTxn = ctx.cleaned.onMarker(f.producerId);
          const h = deleteHorizonOf(readBatchHeader(b.buf, b.pos));
          discard = markerForEmptyTxn && h !== null && h <= opts.now;
        } else if (f.transactional) {
          ctx.cleaned.onData(f.producerId);
          discard = ctx.txns.aborted.has(f.baseOffset);
        }
        const retainEmpty = f.producerId >= 0n && ctx.txns.lastBatchOfProducer.get(f.producerId) === f.lastOffset;
        const r = filterBatch(b.buf, b.pos, b.size, {
          now: opts.now,
          deleteRetentionMs: config.deleteRetentionMs ?? 86_400_000,
          map: ctx.map,
          discardRecords: discard,
          markerForEmptyTxn,
          retainEmpty,
        });
        result.recordsRead += r.recordsIn;
        result.recordsKept += r.recordsKept;
        if (r.changed) changed = true;
        if (r.horizon !== null) horizon = Math.min(horizon, r.horizon);
        if (r.out) {
          await append(r.out, f.lastOffset);
          lastDropped = null;
        } else lastDropped = Buffer.from(b.buf.subarray(b.pos, b.pos + BATCH_HEADER_SIZE));
        if (++n % YIELD_EVERY === 0) await ctx.check('clean', n);
      }
    }
    // The group's last batch stays (empty) so the cleaned segment still ends where the group ended.
    if (lastDropped) await append(emptyBatch(readBatchHeader(lastDropped)), group[group.length - 1].nextOffset - 1);
    await flush();
    result.nextHorizon = Math.min(result.nextHorizon, horizon);
    if (!changed) {
      result.bytesAfter += written;
      await discardCleaned(fs, seg);
      return;
    }
    await fs.fdatasync(seg.fd);
    seg.sizeBytes = seg.writtenBytes = written;
    seg.nextOffset = group[group.length - 1].nextOffset;
    seg.sealTimeIndex();
    seg.sealed = true;
    await writeCleanedIndexes(fs, seg);
    await ctx.check('cleaned');
    const swapped = await log.replaceSegments(
      group,
      seg,
      async () => {
        await commitSwap(fs, seg);
        committed = true;
        await ctx.check('committed');
      },
      () => finishSwap(fs, seg, group),
    );
    if (!swapped) {
      await discardCleaned(fs, seg);
      return;
    }
    result.groupsSwapped++;
    result.bytesAfter += written;
  } catch (e) {
    // Before the commit point the old segments are untouched: roll back. After it, the new segment
    // is in place (recovery at open completes any file renames left undone).
    if (!committed) await discardCleaned(fs, seg).catch(() => undefined);
    throw e;
  }
}

export { CleanAborted };
