/**
 * Loading one partition directory at open. After a clean shutdown the indexes on disk are
 * trusted (after a sanity check) and only the active segment's tail past its last index entry
 * is walked to find the log end. After an unclean stop every segment that may hold offsets at or
 * past the recovery point is scanned batch by batch (length, magic, CRC-32C, offsets); the first
 * bad batch and everything after it are cut off, and the indexes are rebuilt from the scan.
 */
import type { Logger } from 'pino';
import { completeSwaps } from '../compaction/swap.js';
import type { StorageFs } from './fs.js';
import { OffsetIndex, TimeIndex } from './indexes.js';
import { scanBatches } from './scan.js';
import { FileSegment } from './segment.js';

export interface RecoveryStats {
  /** Segments read batch by batch with CRC checks (recovery or index rebuild). */
  segmentsScanned: number;
  batchesScanned: number;
  /** Bytes cut off torn or corrupt tails. */
  bytesTruncated: number;
  indexesRebuilt: number;
}

export function emptyStats(): RecoveryStats {
  return { segmentsScanned: 0, batchesScanned: 0, bytesTruncated: 0, indexesRebuilt: 0 };
}

export interface LoadOptions {
  /** null after a clean shutdown; otherwise the offset up to which data was known fsynced. */
  recoveryPoint: number | null;
  /** Base offset for a fresh segment when the directory holds none. */
  emptyBase: number;
  indexIntervalBytes: number;
  now: number;
  stats: RecoveryStats;
  logger?: Logger;
}

const LEFTOVER = /\.(tmp|deleted|cleaned|swap)$/;
const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;

export async function loadSegments(fs: StorageFs, dir: string, opts: LoadOptions): Promise<FileSegment[]> {
  // A log cleaner swap that committed (a .log.swap exists) is completed first; other leftovers go.
  const names = await completeSwaps(fs, dir, await fs.readdir(dir), opts.logger);
  const bases = new Set<number>();
  for (const name of names) {
    if (LEFTOVER.test(name)) {
      await fs.unlink(`${dir}/${name}`);
      continue;
    }
    const m = SEGMENT_FILE.exec(name);
    if (m && m[2] === 'log') bases.add(Number(m[1]));
  }
  for (const name of names) {
    const m = SEGMENT_FILE.exec(name);
    if (m && m[2] !== 'log' && !bases.has(Number(m[1]))) await fs.unlink(`${dir}/${name}`);
  }
  const sorted = [...bases].sort((a, b) => a - b);
  if (sorted.length === 0) sorted.push(opts.emptyBase);
  const segments = sorted.map((b) => new FileSegment(dir, b));
  let prevNext = segments[0].baseOffset;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const isLast = i === segments.length - 1;
    const fd = await seg.open(fs);
    const size = await fs.fsize(fd);
    const nextBase = isLast ? Infinity : segments[i + 1].baseOffset;
    const mustScan = opts.recoveryPoint !== null && nextBase > opts.recoveryPoint;
    let ok = !mustScan && (await loadIndexes(fs, seg, size, isLast ? null : nextBase, prevNext));
    if (!ok) {
      if (!mustScan) opts.stats.indexesRebuilt++;
      const truncated = await rebuild(fs, seg, size, prevNext, opts);
      if (truncated) {
        for (const later of segments.splice(i + 1)) {
          await later.deleteFiles(fs);
          opts.logger?.warn({ segment: later.logPath }, 'deleted segment after a corrupt tail');
        }
      }
      ok = true;
    }
    seg.resumeIndexing();
    if (seg.sizeBytes > 0) seg.firstAppendAt = opts.now;
    if (segments[i + 1]) {
      seg.sealTimeIndex();
      seg.sealed = true;
    }
    await seg.writeIndexes(fs);
    prevNext = seg.nextOffset;
  }
  return segments;
}

/** Loads and sanity-checks the index files; false when they must be rebuilt. */
async function loadIndexes(
  fs: StorageFs,
  seg: FileSegment,
  size: number,
  nextBase: number | null,
  prevNext: number,
): Promise<boolean> {
  const [ib, tb] = await Promise.all([fs.readFile(seg.indexPath), fs.readFile(seg.timeIndexPath)]);
  if (size === 0) {
    seg.reset();
    if (nextBase !== null) seg.nextOffset = nextBase;
    return true;
  }
  if (!ib || !tb) return false;
  const index = OffsetIndex.fromBuffer(seg.baseOffset, ib, size);
  const timeIndex = TimeIndex.fromBuffer(seg.baseOffset, tb);
  if (!index || !timeIndex) return false;
  seg.index = index;
  seg.timeIndex = timeIndex;
  seg.sizeBytes = seg.writtenBytes = size;
  seg.indexDirty = false;
  const lastTime = timeIndex.last();
  if (lastTime) {
    seg.maxTimestamp = lastTime.timestamp;
    seg.offsetOfMaxTimestamp = lastTime.offset;
  }
  if (nextBase !== null) {
    // An inactive segment: sealed on roll, its time index ends with its largest timestamp.
    seg.nextOffset = nextBase;
    return lastTime !== null;
  }
  // The active segment: walk the headers after the last index entry to find the log end.
  let next = seg.baseOffset;
  const res = await scanBatches(
    fs,
    seg.fd,
    index.lastPosition(),
    size,
    { segmentBase: seg.baseOffset, nextOffset: Math.max(seg.baseOffset, prevNext), checkCrc: false },
    (b) => {
      next = b.lastOffset + 1;
      if (b.maxTimestamp > seg.maxTimestamp) {
        seg.maxTimestamp = b.maxTimestamp;
        seg.offsetOfMaxTimestamp = b.lastOffset;
      }
    },
  );
  if (res.problem !== null || (next === seg.baseOffset && size > 0)) return false;
  seg.nextOffset = next;
  return true;
}

/** Validates every batch, rebuilds the indexes, truncates at the first bad batch. */
async function rebuild(
  fs: StorageFs,
  seg: FileSegment,
  size: number,
  prevNext: number,
  opts: LoadOptions,
): Promise<boolean> {
  seg.reset();
  opts.stats.segmentsScanned++;
  const res = await scanBatches(
    fs,
    seg.fd,
    0,
    size,
    { segmentBase: seg.baseOffset, nextOffset: Math.max(seg.baseOffset, prevNext), checkCrc: true },
    (b) => seg.addBatch(b.position, b.size, b.lastOffset, b.maxTimestamp, opts.indexIntervalBytes),
  );
  opts.stats.batchesScanned += res.batches;
  seg.sizeBytes = seg.writtenBytes = res.validBytes;
  if (res.problem === null) return false;
  opts.logger?.warn(
    { segment: seg.logPath, position: res.validBytes, cut: size - res.validBytes, problem: res.problem },
    'truncating corrupt log tail',
  );
  opts.stats.bytesTruncated += size - res.validBytes;
  await fs.ftruncate(seg.fd, res.validBytes);
  await fs.fdatasync(seg.fd);
  return true;
}
