/**
 * Snappy (Kafka codec 2) in both framings clients use:
 *  - raw snappy: a varint uncompressed length, then the snappy stream (librdkafka, franz-go write it);
 *  - the xerial stream (Java's snappy-java SnappyOutputStream, which Kafka's own producer and broker
 *    write): magic 82 'SNAPPY' 00, int32 version, int32 compatible version, then chunks of
 *    [int32 BE compressed length][raw snappy block].
 * Reading detects the framing. Writing defaults to xerial, as Kafka does when it recompresses: every
 * client reads it (snappy-java's SnappyInputStream falls back to raw when the magic is absent, so Java
 * reads both, but older non-Java clients were written against what Kafka produces).
 *
 * Limits: every block's uncompressed length is read from its preamble and summed before any output is
 * allocated, so an oversized claim fails without allocating; the decoder below then writes only inside
 * the declared length. Decoding is ours (bounds-checked, exact length); snappyjs only compresses.
 */
import SnappyJS from 'snappyjs';
import { CompressionError } from './compression-error.js';

export const SNAPPY = 2;

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
/** snappy-java's default SnappyOutputStream block size, which Kafka uses. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

function corrupt(msg: string): CompressionError {
  return new CompressionError(SNAPPY, 'corrupt', `snappy: ${msg}`);
}

/** The uncompressed length in a raw snappy preamble (varint32), or throws. */
export function snappyUncompressedLength(buf: Buffer, start = 0, end = buf.length): number {
  let result = 0;
  for (let i = 0, shift = 0; i < 5; i++, shift += 7) {
    if (start + i >= end) throw corrupt('truncated length preamble');
    const b = buf[start + i]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) {
      if (result > 0xffffffff) throw corrupt('length preamble overflows 32 bits');
      return result;
    }
  }
  throw corrupt('length preamble longer than 5 bytes');
}

export function isXerialSnappy(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && data.subarray(0, 8).equals(XERIAL_MAGIC);
}

function preambleSize(buf: Buffer, start: number): number {
  let n = 1;
  while (buf[start + n - 1]! & 0x80) n++;
  return n;
}

/**
 * Decodes one raw snappy block (src[start..end), preamble included) into out[outStart..outStart+len).
 * Every read and write is bounds-checked; the block must produce exactly its declared length.
 */
function decodeRawInto(src: Buffer, start: number, end: number, out: Buffer, outStart: number, len: number): void {
  let ip = start + preambleSize(src, start);
  let op = outStart;
  const outEnd = outStart + len;
  while (ip < end) {
    const tag = src[ip++]!;
    const type = tag & 3;
    if (type === 0) {
      let n = (tag >>> 2) + 1;
      if (n > 60) {
        const bytes = n - 60;
        if (ip + bytes > end) throw corrupt('truncated literal length');
        n = src.readUIntLE(ip, bytes) + 1;
        ip += bytes;
      }
      if (n > end - ip) throw corrupt('literal runs past the input');
      if (n > outEnd - op) throw corrupt('literal runs past the declared length');
      src.copy(out, op, ip, ip + n);
      ip += n;
      op += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (type === 1) {
      if (ip >= end) throw corrupt('truncated copy');
      n = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[ip++]!;
    } else if (type === 2) {
      if (ip + 2 > end) throw corrupt('truncated copy');
      n = (tag >>> 2) + 1;
      offset = src.readUInt16LE(ip);
      ip += 2;
    } else {
      if (ip + 4 > end) throw corrupt('truncated copy');
      n = (tag >>> 2) + 1;
      offset = src.readUInt32LE(ip);
      ip += 4;
    }
    if (offset === 0 || offset > op - outStart) throw corrupt('copy offset out of range');
    if (n > outEnd - op) throw corrupt('copy runs past the declared length');
    if (offset >= n && n > 16) {
      out.copyWithin(op, op - offset, op - offset + n);
      op += n;
    } else {
      for (const stop = op + n; op < stop; op++) out[op] = out[op - offset]!;
    }
  }
  if (op !== outEnd) throw corrupt('block shorter than its declared length');
}

function rawBlock(block: Buffer, budget: number, maxOutputBytes: number): Buffer {
  const len = snappyUncompressedLength(block);
  if (len > budget) {
    throw new CompressionError(SNAPPY, 'limit', `snappy output exceeds ${maxOutputBytes} bytes`);
  }
  const out = Buffer.allocUnsafe(len);
  decodeRawInto(block, 0, block.length, out, 0, len);
  return out;
}

export function snappyDecompress(data: Buffer, maxOutputBytes: number): Buffer {
  if (!isXerialSnappy(data)) return rawBlock(data, maxOutputBytes, maxOutputBytes);
  // First pass: chunk boundaries and declared sizes, nothing allocated yet.
  const chunks: Array<[number, number]> = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (data.length - pos < 4) throw corrupt('truncated xerial chunk length');
    const size = data.readInt32BE(pos);
    pos += 4;
    if (size < 0 || size > data.length - pos) throw corrupt('xerial chunk runs past the end');
    total += snappyUncompressedLength(data, pos, pos + size);
    if (total > maxOutputBytes) {
      throw new CompressionError(SNAPPY, 'limit', `snappy output exceeds ${maxOutputBytes} bytes`);
    }
    chunks.push([pos, size]);
    pos += size;
  }
  const out = Buffer.allocUnsafe(total);
  let written = 0;
  for (const [start, size] of chunks) {
    const len = snappyUncompressedLength(data, start, start + size);
    decodeRawInto(data, start, start + size, out, written, len);
    written += len;
  }
  return out;
}

export function snappyCompressRaw(data: Buffer): Buffer {
  return SnappyJS.compress(data) as Buffer;
}

/** xerial stream, version 1 / compatible 1, 32 KiB blocks — byte-compatible with snappy-java's output framing. */
export function snappyCompressXerial(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  parts.push(header);
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK_SIZE) {
    const block = snappyCompressRaw(data.subarray(pos, Math.min(data.length, pos + XERIAL_BLOCK_SIZE)));
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}
