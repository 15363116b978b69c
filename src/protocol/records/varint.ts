/**
 * Zigzag varints (int32) and varlongs (int64) as used inside v2 records, with a bounds-checked cursor.
 * Every read checks remaining bytes and throws RecordsError — never a RangeError from Buffer.
 */
import { RecordsError } from './records-error.js';

export class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (n < 0 || this.end - this.pos < n) throw new RecordsError(`truncated ${what}`);
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  varint(): number {
    let raw = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw new RecordsError('truncated varint');
      const b = this.buf[this.pos++]!;
      raw |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (shift === 28 && b > 0x0f) throw new RecordsError('varint overflows 32 bits');
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new RecordsError('varint longer than 5 bytes');
  }

  varlong(): bigint {
    let raw = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new RecordsError('truncated varlong');
      const b = this.buf[this.pos++]!;
      raw |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (shift === 63n && b > 1) throw new RecordsError('varlong overflows 64 bits');
        return (raw >> 1n) ^ -(raw & 1n);
      }
    }
    throw new RecordsError('varlong longer than 10 bytes');
  }

  /** Varint-length bytes; -1 is null. A view into the buffer, not a copy. */
  varBytes(what: string): Buffer | null {
    const len = this.varint();
    if (len === -1) return null;
    if (len < -1) throw new RecordsError(`negative ${what} length ${len}`);
    this.need(len, what);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}

export function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

export function varintSize(n: number): number {
  let v = zigzag32(n);
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

export function varlongSize(n: bigint): number {
  let v = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

export function writeVarint(buf: Buffer, pos: number, n: number): number {
  let v = zigzag32(n);
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

export function writeVarlong(buf: Buffer, pos: number, n: bigint): number {
  let v = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  while (v >= 0x80n) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}
