/**
 * A span of a segment file that a Fetch response streams instead of reading it up front
 * (src/server/connection.ts reads it a piece at a time as the socket takes the bytes). The span
 * keeps the segment's descriptor open until its lease is released, so retention, DeleteRecords or a
 * cleaner swap that closes the segment meanwhile does not cut the response short: the bytes below
 * the written size of a segment never change, and an unlinked file stays readable. Over the real
 * filesystem the span also tells where it lies (`file`), so the connection can sendfile it.
 */
import type { RecordSpan } from '../engine.js';
import type { ReadLease } from '../read-lease.js';
import { nodeFs, type StorageFs } from './fs.js';
import type { PlannedSpan } from './read.js';
import type { FileSegment } from './segment.js';

export class FileSpan implements RecordSpan {
  readonly length: number;
  readonly lastOffsetBound: number;
  /** Set only over the real filesystem: a substituted StorageFs (faults, counts) must see every read. */
  readonly file?: { readonly fd: number; readonly position: number };
  private readonly position: number;
  private readonly fd: number;

  /** Takes a hold on seg's descriptor that `lease` gives back. */
  constructor(
    private readonly fs: StorageFs,
    seg: FileSegment,
    planned: PlannedSpan,
    lease: ReadLease,
  ) {
    this.position = planned.position;
    this.length = planned.length;
    this.lastOffsetBound = planned.lastOffsetBound;
    this.fd = seg.retain();
    lease.hold(() => seg.release(fs));
    if (fs === nodeFs) this.file = { fd: this.fd, position: this.position };
  }

  async read(target: Buffer, from: number): Promise<void> {
    if (from < 0 || from + target.length > this.length) throw new RangeError(`read of ${target.length} bytes at ${from} is outside a span of ${this.length}`);
    let got = 0;
    while (got < target.length) {
      const n = await this.fs.read(this.fd, target, got, target.length - got, this.position + from + got);
      if (n === 0) throw new Error(`segment file ended ${target.length - got} bytes short of a span being sent`);
      got += n;
    }
  }
}
