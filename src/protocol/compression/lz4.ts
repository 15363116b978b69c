/**
 * LZ4 (Kafka codec 3): the standard LZ4 frame format (magic 04 22 4D 18) for every magic value.
 *
 * KAFKA-3160: Kafka before 0.10 computed the frame header checksum (HC) over the magic number as well as
 * the descriptor. Kafka since 0.10 writes the correct HC for magic ≥ 1 and keeps the broken one for magic
 * 0 messages so that old consumers can still read them; librdkafka does the same. We accept either HC
 * when reading, and write the broken one only when asked (legacy magic 0 output).
 *
 * Bounding the output: the native decoder (lz4-napi / lz4_flex) has no output limit, so we first walk
 * the frame without decompressing. Each block declares its compressed size, and a compressed block can
 * produce at most the frame's block maximum (64 KiB…4 MiB); uncompressed blocks produce exactly their
 * size. If that bound (or a declared content size) fits the limit, the native decoder runs; otherwise a
 * bounds-checked JavaScript decoder runs and stops at the first byte past the limit.
 */
import { createRequire } from 'node:module';
import type * as Lz4Napi from 'lz4-napi';

// Loaded on first use: a broker that never sees lz4 never maps the native library.
let loaded: typeof Lz4Napi | null = null;
const lz4napi = (): typeof Lz4Napi => (loaded ??= createRequire(import.meta.url)('lz4-napi') as typeof Lz4Napi);
import { CompressionError } from './compression-error.js';
import { xxhash32 } from './xxhash32.js';

export const LZ4 = 3;

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

function corrupt(msg: string): CompressionError {
  return new CompressionError(LZ4, 'corrupt', `lz4: ${msg}`);
}
function tooLarge(limit: number): CompressionError {
  return new CompressionError(LZ4, 'limit', `lz4 output exceeds ${limit} bytes`);
}

interface FrameInfo {
  start: number;
  /** Position of the HC byte; blocks start right after it. */
  hcPos: number;
  blockMax: number;
  independent: boolean;
  blockChecksum: boolean;
  contentChecksum: boolean;
  contentSize: number | null;
  /** HC computed the pre-0.10 Kafka way (KAFKA-3160). */
  brokenHc: boolean;
  /** Upper bound on decompressed bytes. */
  bound: number;
  end: number;
}

function parseFrame(data: Buffer, start: number): FrameInfo {
  if (data.length - start < 7) throw corrupt('truncated frame header');
  const flg = data[start + 4]!;
  const bd = data[start + 5]!;
  if (flg >>> 6 !== 1) throw corrupt(`unsupported frame version ${flg >>> 6}`);
  if (flg & 0x02 || bd & 0x8f) throw corrupt('reserved bits set');
  const blockMax = BLOCK_MAX[(bd >>> 4) & 7]!;
  if (blockMax === 0) throw corrupt('invalid block maximum size');
  let p = start + 6;
  let contentSize: number | null = null;
  if (flg & 0x08) {
    if (data.length - p < 8) throw corrupt('truncated content size');
    const size = data.readBigUInt64LE(p);
    contentSize = size > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(size);
    p += 8;
  }
  if (flg & 0x01) p += 4; // dictionary id: no dictionaries are used by Kafka clients
  if (p >= data.length) throw corrupt('truncated frame header');
  const hc = data[p]!;
  const brokenHc = ((xxhash32(data, start, p) >>> 8) & 0xff) === hc;
  if (((xxhash32(data, start + 4, p) >>> 8) & 0xff) !== hc && !brokenHc) throw corrupt('header checksum mismatch');
  const blockChecksum = (flg & 0x10) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  let bound = 0;
  let q = p + 1;
  for (;;) {
    if (data.length - q < 4) throw corrupt('truncated block size');
    const word = data.readUInt32LE(q);
    q += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > blockMax) throw corrupt('block larger than the frame block maximum');
    bound += word & 0x80000000 ? size : blockMax;
    q += size + (blockChecksum ? 4 : 0);
    if (q > data.length) throw corrupt('block runs past the end');
  }
  if (contentChecksum) q += 4;
  if (q > data.length) throw corrupt('truncated content checksum');
  if (contentSize !== null) bound = Math.min(bound, contentSize);
  return {
    start, hcPos: p, blockMax, independent: (flg & 0x20) !== 0, blockChecksum, contentChecksum,
    contentSize, brokenHc: brokenHc && ((xxhash32(data, start + 4, p) >>> 8) & 0xff) !== hc, bound, end: q,
  };
}

/** Frames in data (skippable frames dropped); throws on anything that is not an LZ4 frame. */
function parseFrames(data: Buffer): FrameInfo[] {
  const frames: FrameInfo[] = [];
  let pos = 0;
  while (pos < data.length) {
    if (data.length - pos < 8) throw corrupt('trailing bytes after frame');
    const magic = data.readUInt32LE(pos);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      pos += 8 + data.readUInt32LE(pos + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) throw corrupt('bad frame magic');
    const frame = parseFrame(data, pos);
    frames.push(frame);
    pos = frame.end;
  }
  if (frames.length === 0) throw corrupt('no frame');
  return frames;
}

class Output {
  buf: Buffer;
  len = 0;
  constructor(initial: number, private readonly limit: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, Math.min(initial, limit)));
  }
  reserve(n: number): void {
    const need = this.len + n;
    if (need > this.limit) throw tooLarge(this.limit);
    if (need <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.min(this.limit, Math.max(need, this.buf.length * 2)));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

/** One LZ4 block (src[ip..end)) appended to out; back-references may reach back to historyStart. */
function decodeBlock(src: Buffer, ip: number, end: number, out: Output, historyStart: number, blockMax: number): void {
  const blockStart = out.len;
  while (ip < end) {
    const token = src[ip++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= end) throw corrupt('truncated literal length');
        b = src[ip++]!;
        lit += b;
      } while (b === 255);
    }
    if (lit > end - ip) throw corrupt('literal runs past the block');
    if (out.len - blockStart + lit > blockMax) throw corrupt('block decodes past its maximum size');
    out.reserve(lit);
    src.copy(out.buf, out.len, ip, ip + lit);
    out.len += lit;
    ip += lit;
    if (ip === end) return; // the last sequence carries literals only
    if (end - ip < 2) throw corrupt('truncated match offset');
    const offset = src.readUInt16LE(ip);
    ip += 2;
    if (offset === 0 || offset > out.len - historyStart) throw corrupt('match offset out of range');
    let n = token & 15;
    if (n === 15) {
      let b: number;
      do {
        if (ip >= end) throw corrupt('truncated match length');
        b = src[ip++]!;
        n += b;
      } while (b === 255);
    }
    n += 4;
    if (out.len - blockStart + n > blockMax) throw corrupt('block decodes past its maximum size');
    out.reserve(n);
    const buf = out.buf;
    let op = out.len;
    if (offset >= n) {
      buf.copyWithin(op, op - offset, op - offset + n);
      op += n;
    } else {
      for (const stop = op + n; op < stop; op++) buf[op] = buf[op - offset]!;
    }
    out.len = op;
  }
}

function decodeFramesBounded(data: Buffer, frames: FrameInfo[], limit: number): Buffer {
  const out = new Output(frames.reduce((s, f) => s + f.bound, 0), limit);
  for (const f of frames) {
    const frameStart = out.len;
    let q = f.hcPos + 1;
    for (;;) {
      const word = data.readUInt32LE(q);
      q += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      if (word & 0x80000000) {
        out.reserve(size);
        data.copy(out.buf, out.len, q, q + size);
        out.len += size;
      } else {
        decodeBlock(data, q, q + size, out, f.independent ? out.len : frameStart, f.blockMax);
      }
      q += size + (f.blockChecksum ? 4 : 0);
    }
    if (f.contentSize !== null && out.len - frameStart !== f.contentSize) throw corrupt('content size mismatch');
    if (f.contentChecksum && xxhash32(out.buf, frameStart, out.len) !== data.readUInt32LE(q)) {
      throw corrupt('content checksum mismatch');
    }
  }
  return out.buf.subarray(0, out.len);
}

export function lz4Decompress(data: Buffer, maxOutputBytes: number): Buffer {
  const frames = parseFrames(data);
  for (const f of frames) {
    if (f.contentSize !== null && f.contentSize > maxOutputBytes) throw tooLarge(maxOutputBytes);
  }
  const bound = frames.reduce((s, f) => s + f.bound, 0);
  if (bound > maxOutputBytes || frames.length !== 1 || frames[0]!.end !== data.length) {
    return decodeFramesBounded(data, frames, maxOutputBytes);
  }
  let input = data;
  const f = frames[0]!;
  if (f.brokenHc) {
    input = Buffer.from(data);
    input[f.hcPos] = (xxhash32(input, 4, f.hcPos) >>> 8) & 0xff;
  }
  let out: Buffer;
  try {
    out = lz4napi().decompressFrameSync(input);
  } catch (e) {
    throw corrupt((e as Error).message);
  }
  if (out.length > maxOutputBytes) throw tooLarge(maxOutputBytes);
  return out;
}

/**
 * One LZ4 frame, independent 64 KiB blocks, no checksums but the header's. `brokenHeaderChecksum` writes
 * the pre-0.10 HC that Kafka keeps for magic 0 messages (KAFKA-3160).
 */
export function lz4Compress(data: Buffer, brokenHeaderChecksum = false): Buffer {
  const out = lz4napi().compressFrameSync(data);
  if (brokenHeaderChecksum) {
    const f = parseFrame(out, 0);
    out[f.hcPos] = (xxhash32(out, 0, f.hcPos) >>> 8) & 0xff;
  }
  return out;
}

/** The portable bounded decoder alone (what runs when the native path's bound exceeds the limit); for tests and benchmarks. */
export function lz4DecompressPortable(data: Buffer, maxOutputBytes: number): Buffer {
  return decodeFramesBounded(data, parseFrames(data), maxOutputBytes);
}
