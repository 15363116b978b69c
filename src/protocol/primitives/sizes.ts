/** Encoded sizes, for the generated size() functions. Each equals what Writer writes. */
import { type BytesInput, bytesLength } from './writer.js';

export function sizeOfUvarint(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x20_0000) return 3;
  if (v < 0x1000_0000) return 4;
  return 5;
}

export function sizeOfVarint(v: number): number {
  return sizeOfUvarint(((v << 1) ^ (v >> 31)) >>> 0);
}

export function sizeOfVarlong(v: bigint): number {
  let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  let n = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    n++;
  }
  return n;
}

export function sizeOfString(v: string): number {
  return 2 + Buffer.byteLength(v);
}

export function sizeOfNullableString(v: string | null): number {
  return v === null ? 2 : 2 + Buffer.byteLength(v);
}

export function sizeOfCompactString(v: string): number {
  const n = Buffer.byteLength(v);
  return sizeOfUvarint(n + 1) + n;
}

export function sizeOfCompactNullableString(v: string | null): number {
  return v === null ? 1 : sizeOfCompactString(v);
}

export function sizeOfBytes(v: BytesInput): number {
  return 4 + bytesLength(v);
}

export function sizeOfNullableBytes(v: BytesInput | null): number {
  return v === null ? 4 : 4 + bytesLength(v);
}

export function sizeOfCompactBytes(v: BytesInput): number {
  const n = bytesLength(v);
  return sizeOfUvarint(n + 1) + n;
}

export function sizeOfCompactNullableBytes(v: BytesInput | null): number {
  return v === null ? 1 : sizeOfCompactBytes(v);
}

/** Size of the elements of an array (without its length prefix). */
export function sizeOfElements<T>(v: readonly T[], size: (e: T) => number): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += size(v[i]);
  return n;
}

/** Size of unknown tagged fields (headers and data). */
export function sizeOfRawTags(u: readonly { tag: number; data: Buffer }[] | undefined): number {
  if (u === undefined) return 0;
  let n = 0;
  for (const f of u) n += sizeOfUvarint(f.tag) + sizeOfUvarint(f.data.length) + f.data.length;
  return n;
}

export const sizeOfStringElement = sizeOfString;
export const sizeOfCompactStringElement = sizeOfCompactString;
export const sizeOfBytesElement = sizeOfBytes;
export const sizeOfCompactBytesElement = sizeOfCompactBytes;

/** Size of a tagged-field section holding only unknown fields (or none). */
export function sizeOfUnknownTags(u: readonly { tag: number; data: Buffer }[] | undefined): number {
  if (u === undefined) return 1;
  return sizeOfUvarint(u.length) + sizeOfRawTags(u);
}
