/**
 * One segment of a partition log: `<base>.log` plus its `.index` and `.timeindex`, named by the
 * 20-digit base offset as Kafka does. The segment's bookkeeping (size, next offset, index entries)
 * is updated synchronously when an append is accepted; the bytes reach the file later, in order,
 * through the log's writer. `writtenBytes` is how much of the file is really there.
 */
import { constants } from 'node:fs';
import type { StorageFs } from './fs.js';
import { writeFileAtomic } from './fs.js';
import { OffsetIndex, TimeIndex } from './indexes.js';
import type { SegmentSummary } from '../policy.js';

const OPEN_RW_CREATE = constants.O_RDWR | constants.O_CREAT;

export function segmentFileName(baseOffset: number, suffix: '.log' | '.index' | '.timeindex'): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

export class FileSegment implements SegmentSummary {
  fd = -1;
  private opening: Promise<number> | null = null;
  sizeBytes = 0;
  writtenBytes = 0;
  nextOffset: number;
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  firstAppendAt = -1;
  index: OffsetIndex;
  timeIndex: TimeIndex;
  private bytesSinceIndexEntry = 0;
  /** Index entries changed since the index files were last written. */
  indexDirty = false;
  /** No longer active: its bytes are written and fsynced and its indexes persisted. */
  sealed = false;
  /** Spans being streamed from the descriptor (retain/release), and descriptors closed meanwhile. */
  private refs = 0;
  private closeWhenReleased: number[] = [];

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
  ) {
    this.nextOffset = baseOffset;
    this.index = new OffsetIndex(baseOffset);
    this.timeIndex = new TimeIndex(baseOffset);
  }

  get logPath(): string {
    return `${this.dir}/${segmentFileName(this.baseOffset, '.log')}`;
  }
  get indexPath(): string {
    return `${this.dir}/${segmentFileName(this.baseOffset, '.index')}`;
  }
  get timeIndexPath(): string {
    return `${this.dir}/${segmentFileName(this.baseOffset, '.timeindex')}`;
  }

  /**
   * Accounts for one batch at `position` (Kafka's rule: an index entry for the batch's last
   * offset once more than index.interval.bytes were appended since the previous entry).
   */
  addBatch(position: number, size: number, lastOffset: number, maxTimestamp: number, indexInterval: number): void {
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    if (this.bytesSinceIndexEntry > indexInterval) {
      this.index.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceIndexEntry = 0;
      this.indexDirty = true;
    }
    this.bytesSinceIndexEntry += size;
    this.sizeBytes = position + size;
    this.nextOffset = lastOffset + 1;
  }

  /** Resets the bookkeeping to an empty segment (before a rebuild scan). */
  reset(): void {
    this.sizeBytes = 0;
    this.writtenBytes = 0;
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.index = new OffsetIndex(this.baseOffset);
    this.timeIndex = new TimeIndex(this.baseOffset);
    this.bytesSinceIndexEntry = 0;
    this.indexDirty = true;
  }

  /** After loading indexes from disk: continue the byte count from the last entry. */
  resumeIndexing(): void {
    this.bytesSinceIndexEntry = this.sizeBytes - this.index.lastPosition();
  }

  async open(fs: StorageFs): Promise<number> {
    if (this.fd >= 0) return this.fd;
    if (!this.opening) {
      this.opening = fs.open(this.logPath, OPEN_RW_CREATE).then(
        (fd) => (this.fd = fd),
        (e) => {
          this.opening = null;
          throw e;
        },
      );
    }
    return this.opening;
  }

  /** The time index's closing entry: the segment's largest timestamp (Kafka appends it on roll/close). */
  sealTimeIndex(): void {
    if (this.maxTimestamp >= 0) {
      const before = this.timeIndex.count;
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      if (this.timeIndex.count !== before) this.indexDirty = true;
    }
  }

  async writeIndexes(fs: StorageFs): Promise<void> {
    if (!this.indexDirty) return;
    this.indexDirty = false;
    await writeFileAtomic(fs, this.indexPath, this.index.toBuffer(), false);
    await writeFileAtomic(fs, this.timeIndexPath, this.timeIndex.toBuffer(), false);
  }

  /**
   * Keeps the open descriptor from being closed until release(): a Fetch response that streams a
   * span of this file holds it until the span is out, even if the segment is deleted or replaced
   * meanwhile (the unlinked file stays readable, as with Kafka's delayed deletes).
   */
  retain(): number {
    if (this.fd < 0) throw new Error(`segment ${this.logPath} is not open`);
    this.refs++;
    return this.fd;
  }

  release(fs: StorageFs): void {
    if (--this.refs > 0 || this.closeWhenReleased.length === 0) return;
    const fds = this.closeWhenReleased;
    this.closeWhenReleased = [];
    for (const fd of fds) fs.close(fd).catch(() => undefined);
  }

  async close(fs: StorageFs): Promise<void> {
    if (this.opening) await this.opening.catch(() => undefined);
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      this.opening = null;
      if (this.refs > 0) this.closeWhenReleased.push(fd);
      else await fs.close(fd);
    }
  }

  async deleteFiles(fs: StorageFs): Promise<void> {
    await this.close(fs);
    await fs.unlink(this.logPath);
    await fs.unlink(this.indexPath);
    await fs.unlink(this.timeIndexPath);
  }
}
