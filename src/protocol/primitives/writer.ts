/**
 * Writes into a growing buffer and keeps a list of chunks: Buffers of at least
 * BIG_BYTES (record batches) are appended by reference, never copied, so finish()
 * returns Buffer[] ready for a corked socket or writev.
 *
 * The buffer is reused: after finish() writing continues in the unused rest of the
 * same buffer, so chunks already handed out stay intact. Call reset() only once those
 * chunks have been written out; it rewinds to the start of the buffer.
 *
 * Framing a response:
 *   const p = w.beginSizePrefix();
 *   encodeResponseHeader(w, codec.responseHeaderVersion(v), correlationId);
 *   codec.encodeResponse(w, v, body);
 *   w.endSizePrefix(p);
 *   socket.cork(); for (const c of w.finish()) socket.write(c); socket.uncork();
 */
import type { TaggedField } from './types.js';

/**
 * Bytes that are not in memory yet (a span of a segment file): the writer counts their length and
 * hands the object on in its chunk list; whoever writes the chunks out reads them then
 * (src/server/connection.ts streams them to the socket).
 */
export interface DeferredBytes {
  readonly length: number;
  /** Fills `target` with the span's bytes from `from` on; rejects if they cannot all be read. */
  read(target: Buffer, from: number): Promise<void>;
  /**
   * Where the bytes lie in a file, when the connection may send them straight from it (sendfile):
   * `length` bytes from `position` of descriptor `fd`, which stays open until the response is sent.
   */
  readonly file?: { readonly fd: number; readonly position: number };
}

/** One piece of encoded output. */
export type OutChunk = Buffer | DeferredBytes;
/** A bytes value given to an encoder: one Buffer, or pieces written one after another. */
export type BytesInput = Buffer | readonly OutChunk[];

export const BIG_BYTES = 1024;
const MIN_CAPACITY = 4096;
const MAX_GROWTH = 1 << 20;

/** A reserved int32, patched once its value is known. */
export interface Patch {
  buf: Buffer;
  off: number;
  /** Writer length just after the placeholder. */
  start: number;
}

export class Writer {
  private buf: Buffer;
  private pos = 0;
  private start = 0;
  private chunks: OutChunk[] = [];
  private deferred = 0;
  private flushed = 0;

  constructor(capacity = 16384) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 64));
  }

  /** Bytes written since the last finish() or reset(). */
  get length(): number {
    return this.flushed + this.pos - this.start;
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    this.cut();
    const cap = Math.max(n, MIN_CAPACITY, Math.min(this.buf.length * 2, MAX_GROWTH));
    this.buf = Buffer.allocUnsafe(cap);
    this.pos = 0;
    this.start = 0;
  }

  /** Moves the bytes written into the current buffer to the chunk list. */
  private cut(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.flushed += this.pos - this.start;
      this.start = this.pos;
    }
  }

  /** Everything written since the last finish(), as chunks (big Buffers by reference). */
  finish(): Buffer[] {
    if (this.deferred > 0) throw new Error('output holds deferred bytes: use finishChunks()');
    return this.finishChunks() as Buffer[];
  }

  /** Like finish(), but the chunks may include DeferredBytes, which the caller must read in. */
  finishChunks(): OutChunk[] {
    this.cut();
    const out = this.chunks;
    this.chunks = [];
    this.flushed = 0;
    this.deferred = 0;
    return out;
  }

  /** Everything written since the last finish(), as one Buffer. */
  toBuffer(): Buffer {
    const c = this.finish();
    return c.length === 1 ? c[0] : Buffer.concat(c);
  }

  /** Forgets all output and rewinds; earlier chunks may then be overwritten. */
  reset(): void {
    this.chunks = [];
    this.deferred = 0;
    this.flushed = 0;
    this.pos = 0;
    this.start = 0;
  }

  reserveInt32(): Patch {
    this.ensure(4);
    const p = { buf: this.buf, off: this.pos, start: 0 };
    this.pos += 4;
    p.start = this.length;
    return p;
  }

  patchInt32(p: Patch, v: number): void {
    p.buf.writeInt32BE(v, p.off);
  }

  /** A 4-byte size placeholder; endSizePrefix() fills in the bytes written after it. */
  beginSizePrefix(): Patch {
    return this.reserveInt32();
  }

  endSizePrefix(p: Patch): void {
    p.buf.writeInt32BE(this.length - p.start, p.off);
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  int16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    const p = this.pos;
    b[p] = (v >>> 8) & 0xff;
    b[p + 1] = v & 0xff;
    this.pos = p + 2;
  }

  uint16(v: number): void {
    this.int16(v);
  }

  int32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = (v >>> 24) & 0xff;
    b[p + 1] = (v >>> 16) & 0xff;
    b[p + 2] = (v >>> 8) & 0xff;
    b[p + 3] = v & 0xff;
    this.pos = p + 4;
  }

  uint32(v: number): void {
    this.int32(v);
  }

  int64(v: bigint): void {
    this.ensure(8);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) {
      this.buf.writeBigInt64BE(v, this.pos);
      this.pos += 8;
      return;
    }
    // Safe integers (nearly every offset and timestamp) split without BigInt arithmetic.
    const hi = Math.floor(n / 0x1_0000_0000);
    const lo = n - hi * 0x1_0000_0000;
    const b = this.buf;
    const p = this.pos;
    b[p] = (hi >>> 24) & 0xff;
    b[p + 1] = (hi >>> 16) & 0xff;
    b[p + 2] = (hi >>> 8) & 0xff;
    b[p + 3] = hi & 0xff;
    b[p + 4] = (lo >>> 24) & 0xff;
    b[p + 5] = (lo >>> 16) & 0xff;
    b[p + 6] = (lo >>> 8) & 0xff;
    b[p + 7] = lo & 0xff;
    this.pos = p + 8;
  }

  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  uuid(v: string): void {
    if (v.length !== 32 || !/^[0-9a-f]{32}$/i.test(v)) throw new Error(`invalid uuid "${v}": need 32 hex chars`);
    this.ensure(16);
    this.buf.write(v, this.pos, 16, 'hex');
    this.pos += 16;
  }

  uvarint(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    b[p++] = v;
    this.pos = p;
  }

  varint(v: number): void {
    this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  uvarlong(v: bigint): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    v = BigInt.asUintN(64, v);
    while (v >= 0x80n) {
      b[p++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    b[p++] = Number(v);
    this.pos = p;
  }

  varlong(v: bigint): void {
    this.uvarlong((v << 1n) ^ (v >> 63n));
  }

  /** Raw bytes: copied when small, appended by reference when at least BIG_BYTES. */
  raw(v: Buffer): void {
    const n = v.length;
    if (n >= BIG_BYTES) {
      this.cut();
      this.chunks.push(v);
      this.flushed += n;
      return;
    }
    this.ensure(n);
    v.copy(this.buf, this.pos);
    this.pos += n;
  }

  private utf8(v: string, n: number): void {
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    if (n === v.length && n < 32) {
      for (let i = 0; i < n; i++) b[p++] = v.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos += b.write(v, p, n, 'utf8');
    }
  }

  string(v: string): void {
    const n = Buffer.byteLength(v);
    if (n > 0x7fff) throw new Error(`string of ${n} bytes is too long for an int16 length`);
    this.int16(n);
    this.utf8(v, n);
  }

  nullableString(v: string | null): void {
    if (v === null) this.int16(-1);
    else this.string(v);
  }

  compactString(v: string): void {
    const n = Buffer.byteLength(v);
    this.uvarint(n + 1);
    this.utf8(v, n);
  }

  compactNullableString(v: string | null): void {
    if (v === null) this.uvarint(0);
    else this.compactString(v);
  }

  /** Deferred bytes go into the chunk list as they are. */
  private deferredRaw(v: DeferredBytes): void {
    this.cut();
    this.chunks.push(v);
    this.flushed += v.length;
    this.deferred++;
  }

  private rawList(v: BytesInput): void {
    if (Buffer.isBuffer(v)) this.raw(v);
    else for (const b of v) Buffer.isBuffer(b) ? this.raw(b) : this.deferredRaw(b);
  }

  bytes(v: BytesInput): void {
    this.int32(bytesLength(v));
    this.rawList(v);
  }

  nullableBytes(v: BytesInput | null): void {
    if (v === null) this.int32(-1);
    else this.bytes(v);
  }

  compactBytes(v: BytesInput): void {
    this.uvarint(bytesLength(v) + 1);
    this.rawList(v);
  }

  compactNullableBytes(v: BytesInput | null): void {
    if (v === null) this.uvarint(0);
    else this.compactBytes(v);
  }

  array<T>(v: readonly T[], write: (w: Writer, e: T) => void): void {
    this.int32(v.length);
    for (let i = 0; i < v.length; i++) write(this, v[i]);
  }

  nullableArray<T>(v: readonly T[] | null, write: (w: Writer, e: T) => void): void {
    if (v === null) this.int32(-1);
    else this.array(v, write);
  }

  compactArray<T>(v: readonly T[], write: (w: Writer, e: T) => void): void {
    this.uvarint(v.length + 1);
    for (let i = 0; i < v.length; i++) write(this, v[i]);
  }

  compactNullableArray<T>(v: readonly T[] | null, write: (w: Writer, e: T) => void): void {
    if (v === null) this.uvarint(0);
    else this.compactArray(v, write);
  }

  /** Writes the unknown tagged fields u[i..] whose tag is below `below`; returns the next index. */
  rawTags(u: readonly TaggedField[], i: number, below: number): number {
    while (i < u.length && u[i].tag < below) {
      this.uvarint(u[i].tag);
      this.uvarint(u[i].data.length);
      this.raw(u[i].data);
      i++;
    }
    return i;
  }
}

export function bytesLength(v: BytesInput): number {
  if (Buffer.isBuffer(v)) return v.length;
  let n = 0;
  for (const b of v) n += b.length;
  return n;
}

/** Unknown tagged fields in tag order (the input when already sorted), or undefined when none. */
export function sortedTags(u: readonly TaggedField[] | undefined): readonly TaggedField[] | undefined {
  if (u === undefined || u.length === 0) return undefined;
  for (let i = 1; i < u.length; i++) {
    if (u[i].tag < u[i - 1].tag) return [...u].sort((a, b) => a.tag - b.tag);
  }
  return u;
}

/** Element writers for arrays of primitives. */
export const writeInt8 = (w: Writer, v: number): void => w.int8(v);
export const writeInt16 = (w: Writer, v: number): void => w.int16(v);
export const writeInt32 = (w: Writer, v: number): void => w.int32(v);
export const writeInt64 = (w: Writer, v: bigint): void => w.int64(v);
export const writeUint16 = (w: Writer, v: number): void => w.uint16(v);
export const writeUint32 = (w: Writer, v: number): void => w.uint32(v);
export const writeFloat64 = (w: Writer, v: number): void => w.float64(v);
export const writeBool = (w: Writer, v: boolean): void => w.bool(v);
export const writeUuid = (w: Writer, v: string): void => w.uuid(v);
export const writeString = (w: Writer, v: string): void => w.string(v);
export const writeCompactString = (w: Writer, v: string): void => w.compactString(v);
export const writeBytes = (w: Writer, v: BytesInput): void => w.bytes(v);
export const writeCompactBytes = (w: Writer, v: BytesInput): void => w.compactBytes(v);

/** A tagged-field section holding only unknown fields (or none). */
export function writeUnknownTags(w: Writer, u: readonly TaggedField[] | undefined): void {
  const s = sortedTags(u);
  if (s === undefined) {
    w.uvarint(0);
    return;
  }
  w.uvarint(s.length);
  w.rawTags(s, 0, Infinity);
}
