/**
 * A bounds-checked reader over one Buffer with a sticky error (the kbin.Reader idea):
 * the first short or invalid read records a message, moves to the end and makes every
 * later read return a zero value. Decoders read straight through and call check() once,
 * which throws a DecodeError. No length is trusted: a string, bytes or array length is
 * checked against the bytes that remain before anything is allocated.
 */
import type { TaggedField } from './types.js';

export class DecodeError extends Error {
  override name = 'DecodeError';
}

export class Reader {
  buf: Buffer;
  pos: number;
  end: number;
  /** The first failure, or null while every read has succeeded. */
  err: string | null = null;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Records the first failure and makes every later read fail. */
  fail(what: string): void {
    if (this.err === null) this.err = `${what} at offset ${this.pos}`;
    this.pos = this.end;
  }

  /** Throws a DecodeError if any read failed. */
  check(): void {
    if (this.err !== null) throw new DecodeError(this.err);
  }

  private short(n: number, what: string): boolean {
    if (this.end - this.pos >= n) return false;
    this.fail(`${what}: need ${n} bytes, have ${this.end - this.pos}`);
    return true;
  }

  int8(): number {
    if (this.short(1, 'int8')) return 0;
    return (this.buf[this.pos++] << 24) >> 24;
  }

  bool(): boolean {
    if (this.short(1, 'bool')) return false;
    return this.buf[this.pos++] !== 0;
  }

  int16(): number {
    if (this.short(2, 'int16')) return 0;
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (((b[p] << 8) | b[p + 1]) << 16) >> 16;
  }

  uint16(): number {
    if (this.short(2, 'uint16')) return 0;
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  int32(): number {
    if (this.short(4, 'int32')) return 0;
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }

  uint32(): number {
    return this.int32() >>> 0;
  }

  int64(): bigint {
    if (this.short(8, 'int64')) return 0n;
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 8;
    const hi = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    const lo = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
    // One BigInt conversion while the value is a safe integer (offsets, timestamps, -1).
    if (hi >= -0x200000 && hi < 0x200000) return BigInt(hi * 0x1_0000_0000 + lo);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  float64(): number {
    if (this.short(8, 'float64')) return 0;
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  uuid(): string {
    if (this.short(16, 'uuid')) return ZERO_UUID_HEX;
    const s = this.buf.toString('hex', this.pos, this.pos + 16);
    this.pos += 16;
    return s;
  }

  /** Unsigned varint of at most 5 bytes (0 .. 2^32-1). */
  uvarint(): number {
    const b = this.buf;
    let p = this.pos;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (p >= this.end) {
        this.fail('varint: truncated');
        return 0;
      }
      const x = b[p++];
      if (i === 4 && x > 0x0f) {
        this.fail('varint: longer than 32 bits');
        return 0;
      }
      v += (x & 0x7f) * mul;
      if (x < 0x80) {
        this.pos = p;
        return v;
      }
      mul *= 128;
    }
    this.fail('varint: longer than 5 bytes');
    return 0;
  }

  /** Zigzag signed varint (int32). */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Unsigned varint of at most 10 bytes (64 bits). */
  uvarlong(): bigint {
    const b = this.buf;
    let p = this.pos;
    let v = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (p >= this.end) {
        this.fail('varlong: truncated');
        return 0n;
      }
      const x = b[p++];
      if (i === 9 && x > 0x01) {
        this.fail('varlong: longer than 64 bits');
        return 0n;
      }
      v |= BigInt(x & 0x7f) << shift;
      if (x < 0x80) {
        this.pos = p;
        return v;
      }
      shift += 7n;
    }
    this.fail('varlong: longer than 10 bytes');
    return 0n;
  }

  /** Zigzag signed varlong (int64). */
  varlong(): bigint {
    const u = this.uvarlong();
    return BigInt.asIntN(64, (u >> 1n) ^ -(u & 1n));
  }

  /** n raw bytes as a view into the buffer (no copy). */
  raw(n: number): Buffer {
    if (n < 0) {
      this.fail(`negative length ${n}`);
      return EMPTY;
    }
    if (this.short(n, 'bytes')) return EMPTY;
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    if (!this.short(n, 'skip')) this.pos += n;
  }

  private utf8(n: number): string {
    if (this.short(n, 'string')) return '';
    const b = this.buf;
    const p = this.pos;
    this.pos = p + n;
    if (n < 24) {
      // Short ASCII strings (topic names, client ids) decode faster without a native call.
      let s = '';
      for (let i = p; i < p + n; i++) {
        const c = b[i];
        if (c > 0x7f) return b.toString('utf8', p, p + n);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return b.toString('utf8', p, p + n);
  }

  /** Classic string: int16 length. */
  string(): string {
    const n = this.int16();
    if (n < 0) {
      this.fail('null for a non-nullable string');
      return '';
    }
    return this.utf8(n);
  }

  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    return this.utf8(n);
  }

  /** Compact string: unsigned varint length + 1. */
  compactString(): string {
    const n = this.uvarint() - 1;
    if (n < 0) {
      this.fail('null for a non-nullable compact string');
      return '';
    }
    return this.utf8(n);
  }

  compactNullableString(): string | null {
    const n = this.uvarint() - 1;
    if (n < 0) return null;
    return this.utf8(n);
  }

  /** Classic bytes: int32 length. A view, not a copy. */
  bytes(): Buffer {
    const n = this.int32();
    if (n < 0) {
      this.fail('null for non-nullable bytes');
      return EMPTY;
    }
    return this.raw(n);
  }

  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    return this.raw(n);
  }

  compactBytes(): Buffer {
    const n = this.uvarint() - 1;
    if (n < 0) {
      this.fail('null for non-nullable compact bytes');
      return EMPTY;
    }
    return this.raw(n);
  }

  compactNullableBytes(): Buffer | null {
    const n = this.uvarint() - 1;
    if (n < 0) return null;
    return this.raw(n);
  }

  /**
   * A length for n elements of at least minSize bytes each: -1 stays -1 (null), a length
   * the remaining bytes cannot hold fails here, before the caller allocates.
   */
  private count(n: number, minSize: number): number {
    if (n < 0) return -1;
    if (n * minSize > this.end - this.pos) {
      this.fail(`array of ${n} elements cannot fit in ${this.end - this.pos} bytes`);
      return 0;
    }
    return n;
  }

  arrayLength(minSize: number): number {
    return this.count(this.int32(), minSize);
  }

  compactArrayLength(minSize: number): number {
    return this.count(this.uvarint() - 1, minSize);
  }

  array<T>(minSize: number, read: (r: Reader) => T): T[] {
    const n = this.count(this.int32(), minSize);
    if (n < 0) {
      this.fail('null for a non-nullable array');
      return [];
    }
    return this.elements(n, read);
  }

  nullableArray<T>(minSize: number, read: (r: Reader) => T): T[] | null {
    const n = this.count(this.int32(), minSize);
    return n < 0 ? null : this.elements(n, read);
  }

  compactArray<T>(minSize: number, read: (r: Reader) => T): T[] {
    const n = this.count(this.uvarint() - 1, minSize);
    if (n < 0) {
      this.fail('null for a non-nullable compact array');
      return [];
    }
    return this.elements(n, read);
  }

  compactNullableArray<T>(minSize: number, read: (r: Reader) => T): T[] | null {
    const n = this.count(this.uvarint() - 1, minSize);
    return n < 0 ? null : this.elements(n, read);
  }

  private elements<T>(n: number, read: (r: Reader) => T): T[] {
    const out: T[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = read(this);
    return out;
  }

  /** The number of fields in a tagged-field section (each needs at least 2 bytes). */
  tagCount(): number {
    const n = this.uvarint();
    if (n * 2 > this.end - this.pos) {
      this.fail(`${n} tagged fields cannot fit in ${this.end - this.pos} bytes`);
      return 0;
    }
    return n;
  }

  /** Reads a tagged field's size; returns where its value ends, or -1 on failure. */
  tagEnd(): number {
    const size = this.uvarint();
    if (this.err !== null || this.short(size, 'tagged field')) return -1;
    return this.pos + size;
  }

  /** An unknown tagged field's value, kept as a view. */
  unknownTag(tag: number, end: number): TaggedField {
    const data = this.buf.subarray(this.pos, end);
    this.pos = end;
    return { tag, data };
  }

  /** A known tagged field must use exactly the size it announced. */
  endTag(end: number): void {
    if (this.pos !== end && this.err === null) this.fail(`tagged field ends at ${this.pos}, expected ${end}`);
  }

  /** A tagged-field section with no known tags: every field kept raw. */
  unknownTags(): TaggedField[] | undefined {
    const n = this.tagCount();
    let out: TaggedField[] | undefined;
    for (let i = 0; i < n; i++) {
      const tag = this.uvarint();
      const end = this.tagEnd();
      if (end < 0) break;
      (out ??= []).push(this.unknownTag(tag, end));
    }
    return out;
  }
}

/** The zero-length Buffer decoders return for empty bytes. */
export const EMPTY = Buffer.alloc(0);
const ZERO_UUID_HEX = '00000000000000000000000000000000';

/** Element readers for arrays of primitives. */
export const readInt8 = (r: Reader): number => r.int8();
export const readInt16 = (r: Reader): number => r.int16();
export const readInt32 = (r: Reader): number => r.int32();
export const readInt64 = (r: Reader): bigint => r.int64();
export const readUint16 = (r: Reader): number => r.uint16();
export const readUint32 = (r: Reader): number => r.uint32();
export const readFloat64 = (r: Reader): number => r.float64();
export const readBool = (r: Reader): boolean => r.bool();
export const readUuid = (r: Reader): string => r.uuid();
export const readString = (r: Reader): string => r.string();
export const readCompactString = (r: Reader): string => r.compactString();
export const readNullableString = (r: Reader): string | null => r.nullableString();
export const readCompactNullableString = (r: Reader): string | null => r.compactNullableString();
export const readBytes = (r: Reader): Buffer => r.bytes();
export const readCompactBytes = (r: Reader): Buffer => r.compactBytes();
