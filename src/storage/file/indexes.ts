/**
 * Kafka's sparse segment indexes, held in typed arrays (Node has no mmap) and written to disk
 * in Kafka's byte format so Kafka's tools can read them:
 *   .index      8-byte entries: int32 offset relative to the segment base, int32 file position
 *   .timeindex 12-byte entries: int64 timestamp, int32 relative offset
 * Entries are strictly increasing; lookups return the last entry at or below the target.
 */

export const OFFSET_ENTRY_SIZE = 8;
export const TIME_ENTRY_SIZE = 12;

/** Index of the last of the first `count` (ascending) values that is at or below `v`, or -1. */
function lastAtOrBelow(values: Int32Array, count: number, v: number): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= v) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

class Growable {
  protected cap = 0;
  count = 0;
  protected grow(need: number, resize: (cap: number) => void): void {
    if (need <= this.cap) return;
    this.cap = Math.max(64, this.cap * 2, need);
    resize(this.cap);
  }
}

export class OffsetIndex extends Growable {
  private rel = new Int32Array(0);
  private pos = new Int32Array(0);

  constructor(readonly baseOffset: number) {
    super();
  }

  append(offset: number, position: number): void {
    const r = offset - this.baseOffset;
    if (this.count > 0 && r <= this.rel[this.count - 1]) return;
    this.grow(this.count + 1, (c) => {
      const rel = new Int32Array(c);
      rel.set(this.rel.subarray(0, this.count));
      const pos = new Int32Array(c);
      pos.set(this.pos.subarray(0, this.count));
      this.rel = rel;
      this.pos = pos;
    });
    this.rel[this.count] = r;
    this.pos[this.count] = position;
    this.count++;
  }

  /** File position to start scanning from for `offset` (0 when no entry is at or below it). */
  lookup(offset: number): number {
    const i = this.slotAtOrBelow(offset - this.baseOffset);
    return i < 0 ? 0 : this.pos[i];
  }

  /** The last entry whose position is at or below `position` (a batch start and that batch's last offset), or null. */
  entryAtOrBelowPosition(position: number): { offset: number; position: number } | null {
    const found = lastAtOrBelow(this.pos, this.count, position);
    return found < 0 ? null : { offset: this.baseOffset + this.rel[found], position: this.pos[found] };
  }

  lastPosition(): number {
    return this.count === 0 ? 0 : this.pos[this.count - 1];
  }

  /** Drops entries whose position is at or past `position` (after a log truncation). */
  truncateToPosition(position: number): void {
    while (this.count > 0 && this.pos[this.count - 1] >= position) this.count--;
  }

  private slotAtOrBelow(r: number): number {
    return lastAtOrBelow(this.rel, this.count, r);
  }

  toBuffer(): Buffer {
    const buf = Buffer.allocUnsafe(this.count * OFFSET_ENTRY_SIZE);
    for (let i = 0; i < this.count; i++) {
      buf.writeInt32BE(this.rel[i], i * OFFSET_ENTRY_SIZE);
      buf.writeInt32BE(this.pos[i], i * OFFSET_ENTRY_SIZE + 4);
    }
    return buf;
  }

  /** Parses an index file; null when it fails the sanity checks (then the caller rebuilds it). */
  static fromBuffer(baseOffset: number, buf: Buffer, logSize: number): OffsetIndex | null {
    if (buf.length % OFFSET_ENTRY_SIZE !== 0) return null;
    const idx = new OffsetIndex(baseOffset);
    for (let p = 0; p < buf.length; p += OFFSET_ENTRY_SIZE) {
      const rel = buf.readInt32BE(p);
      const pos = buf.readInt32BE(p + 4);
      // Kafka preallocates index files with zero entries; a zero entry after the first ends it.
      if (p > 0 && rel === 0 && pos === 0) break;
      if (rel < 0 || pos < 0 || pos >= logSize) return null;
      if (idx.count > 0 && (rel <= idx.rel[idx.count - 1] || pos <= idx.pos[idx.count - 1])) return null;
      idx.append(baseOffset + rel, pos);
    }
    return idx;
  }
}

export class TimeIndex extends Growable {
  private ts = new Float64Array(0);
  private rel = new Int32Array(0);

  constructor(readonly baseOffset: number) {
    super();
  }

  /** Appends (timestamp, offset) if the timestamp is larger than the last entry's. */
  maybeAppend(timestamp: number, offset: number): void {
    if (this.count > 0 && timestamp <= this.ts[this.count - 1]) return;
    const r = offset - this.baseOffset;
    if (this.count > 0 && r < this.rel[this.count - 1]) return;
    this.grow(this.count + 1, (c) => {
      const ts = new Float64Array(c);
      ts.set(this.ts.subarray(0, this.count));
      const rel = new Int32Array(c);
      rel.set(this.rel.subarray(0, this.count));
      this.ts = ts;
      this.rel = rel;
    });
    this.ts[this.count] = timestamp;
    this.rel[this.count] = r;
    this.count++;
  }

  /** The last entry whose timestamp is strictly below `timestamp`, or null. */
  lastBelow(timestamp: number): { timestamp: number; offset: number } | null {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid] < timestamp) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? null : { timestamp: this.ts[found], offset: this.baseOffset + this.rel[found] };
  }

  last(): { timestamp: number; offset: number } | null {
    if (this.count === 0) return null;
    return { timestamp: this.ts[this.count - 1], offset: this.baseOffset + this.rel[this.count - 1] };
  }

  /** Drops entries pointing at or past `offset`. */
  truncateToOffset(offset: number): void {
    while (this.count > 0 && this.baseOffset + this.rel[this.count - 1] >= offset) this.count--;
  }

  toBuffer(): Buffer {
    const buf = Buffer.allocUnsafe(this.count * TIME_ENTRY_SIZE);
    for (let i = 0; i < this.count; i++) {
      buf.writeBigInt64BE(BigInt(this.ts[i]), i * TIME_ENTRY_SIZE);
      buf.writeInt32BE(this.rel[i], i * TIME_ENTRY_SIZE + 8);
    }
    return buf;
  }

  static fromBuffer(baseOffset: number, buf: Buffer): TimeIndex | null {
    if (buf.length % TIME_ENTRY_SIZE !== 0) return null;
    const idx = new TimeIndex(baseOffset);
    for (let p = 0; p < buf.length; p += TIME_ENTRY_SIZE) {
      const ts = Number(buf.readBigInt64BE(p));
      const rel = buf.readInt32BE(p + 8);
      if (p > 0 && ts === 0 && rel === 0) break;
      if (rel < 0) return null;
      if (idx.count > 0 && (ts <= idx.ts[idx.count - 1] || rel < idx.rel[idx.count - 1])) return null;
      idx.maybeAppend(ts, baseOffset + rel);
    }
    return idx;
  }
}
