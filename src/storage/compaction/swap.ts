/**
 * Crash-safe replacement of segments by a cleaned one (Kafka's scheme):
 *   1. write <base>.log.cleaned, .index.cleaned, .timeindex.cleaned and fsync them;
 *   2. rename the index files to .swap, then <base>.log.cleaned → <base>.log.swap, fsync the
 *      directory — the .log.swap file is the commit point;
 *   3. delete the replaced segments (other than the one with the same base, which the rename in 4
 *      replaces), 4. rename the .swap files to their final names, fsync the directory.
 * Recovery at open (completeSwaps): a .log.swap means the swap committed: the segments it covers
 * are deleted, it takes its final name and its indexes are rebuilt from a CRC-checked scan.
 * Without one, .cleaned and stray .swap files are leftovers of an uncommitted clean and go.
 * A cleaned segment always ends with the last batch of the segments it replaces (empty if need
 * be), so the offsets it covers are [base, last offset + 1) and recovery knows what it replaced.
 */
import type { Logger } from 'pino';
import { writeAll, type StorageFs } from '../file/fs.js';
import { scanBatches } from '../file/scan.js';
import { segmentFileName, type FileSegment } from '../file/segment.js';

const SUFFIXES = ['.index', '.timeindex', '.log'] as const;

export function cleanedPath(seg: FileSegment, suffix: (typeof SUFFIXES)[number], state: '.cleaned' | '.swap'): string {
  return `${seg.dir}/${segmentFileName(seg.baseOffset, suffix)}${state}`;
}

/** Writes and fsyncs the cleaned segment's index files (its .log.cleaned is written by the cleaner). */
export async function writeCleanedIndexes(fs: StorageFs, seg: FileSegment): Promise<void> {
  for (const [suffix, data] of [
    ['.index', seg.index.toBuffer()],
    ['.timeindex', seg.timeIndex.toBuffer()],
  ] as const) {
    const fd = await fs.open(cleanedPath(seg, suffix, '.cleaned'), 'w');
    try {
      if (data.length > 0) await writeAll(fs, fd, [data], 0);
      await fs.fdatasync(fd);
    } finally {
      await fs.close(fd);
    }
  }
  seg.indexDirty = false;
}

/** Step 2: makes the swap durable (the .log.swap rename is the commit point). */
export async function commitSwap(fs: StorageFs, seg: FileSegment): Promise<void> {
  for (const suffix of SUFFIXES) await fs.rename(cleanedPath(seg, suffix, '.cleaned'), cleanedPath(seg, suffix, '.swap'));
  await fs.syncDir(seg.dir);
}

/** Steps 3 and 4: removes the replaced segments' files and gives the new one its final names. */
export async function finishSwap(fs: StorageFs, seg: FileSegment, replaced: FileSegment[]): Promise<void> {
  for (const old of replaced) {
    if (old.baseOffset === seg.baseOffset) continue;
    await fs.unlink(old.logPath);
    await fs.unlink(old.indexPath);
    await fs.unlink(old.timeIndexPath);
  }
  await fs.rename(cleanedPath(seg, '.index', '.swap'), seg.indexPath);
  await fs.rename(cleanedPath(seg, '.timeindex', '.swap'), seg.timeIndexPath);
  await fs.rename(cleanedPath(seg, '.log', '.swap'), seg.logPath);
  await fs.syncDir(seg.dir);
}

/** Undoes an uncommitted (or failed) clean: the .log.swap first, so a crash midway rolls back too. */
export async function discardCleaned(fs: StorageFs, seg: FileSegment): Promise<void> {
  await seg.close(fs);
  await fs.unlink(cleanedPath(seg, '.log', '.swap'));
  for (const suffix of SUFFIXES) {
    await fs.unlink(cleanedPath(seg, suffix, '.cleaned'));
    await fs.unlink(cleanedPath(seg, suffix, '.swap'));
  }
}

const SWAP_LOG = /^(\d{20})\.log\.swap$/;
const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;

/**
 * Load-time recovery of committed swaps in one partition directory. Returns the directory listing
 * afterwards (the caller then deletes the remaining .cleaned/.swap leftovers and loads segments).
 */
export async function completeSwaps(fs: StorageFs, dir: string, names: string[], logger?: Logger): Promise<string[]> {
  const swaps = names.map((n) => SWAP_LOG.exec(n)).filter((m): m is RegExpExecArray => m !== null);
  if (swaps.length === 0) return names;
  for (const m of swaps) {
    const base = Number(m[1]);
    const path = `${dir}/${m[0]}`;
    const fd = await fs.open(path, 'r');
    let next = base;
    try {
      const size = await fs.fsize(fd);
      await scanBatches(fs, fd, 0, size, { segmentBase: base, nextOffset: base, checkCrc: true }, (b) => {
        next = b.lastOffset + 1;
      });
    } finally {
      await fs.close(fd);
    }
    for (const name of await fs.readdir(dir)) {
      const s = SEGMENT_FILE.exec(name);
      if (!s) continue;
      const b = Number(s[1]);
      // The replaced segments; the same-base files are replaced by the rename below (indexes rebuilt).
      if ((b > base && b < next) || (b === base && s[2] !== 'log')) await fs.unlink(`${dir}/${name}`);
    }
    await fs.rename(path, `${dir}/${segmentFileName(base, '.log')}`);
    await fs.syncDir(dir);
    logger?.info({ dir, baseOffset: base, nextOffset: next }, 'completed an interrupted cleaner swap');
  }
  return fs.readdir(dir);
}
