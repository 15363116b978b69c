/**
 * CRC-32C (Castagnoli), the checksum of v2 record batches. Node's zlib.crc32 is IEEE
 * CRC-32 (legacy v0/v1 messages), not this one. @node-rs/crc32 uses SSE4.2 and is
 * roughly 17x faster than a table-driven JavaScript loop (bench/codec measures both).
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

export function crc32c(buf: Buffer, start = 0, end = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return nativeCrc32c(view) >>> 0;
}
