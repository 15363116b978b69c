/**
 * zstd (Kafka codec 4, Produce v7+ / Fetch v10+) through zstd-napi's native bindings.
 *
 * Bounded output: when the frame header declares a content size that fits the limit (and the input is
 * exactly one frame) we allocate that much and decompress in one call. Otherwise we stream into
 * fixed-size chunks and fail as soon as the running total passes the limit, so a bomb costs at most
 * limit + one chunk of memory. The window is capped (windowLogMax 27, zstd's default) so a frame cannot
 * demand a huge history buffer either.
 */
import { createRequire } from 'node:module';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import { CompressionError } from './compression-error.js';

export const ZSTD = 4;

// Loaded on first use: a broker that never sees zstd never maps the native library.
let loaded: typeof ZstdBinding | null = null;
const zstd = (): typeof ZstdBinding => (loaded ??= createRequire(import.meta.url)('zstd-napi/binding') as typeof ZstdBinding);
const CHUNK = 128 * 1024;
const WINDOW_LOG_MAX = 27;
/** zstd's own default level; Kafka's default compression.zstd.level is 3 as well. */
export const ZSTD_DEFAULT_LEVEL = 3;

let dctx: ZstdBinding.DCtx | null = null;
let cctx: ZstdBinding.CCtx | null = null;

function context(): ZstdBinding.DCtx {
  if (dctx === null) {
    dctx = new (zstd().DCtx)();
    dctx.setParameter(zstd().DParameter.windowLogMax, WINDOW_LOG_MAX);
  }
  return dctx;
}

function corrupt(msg: string): CompressionError {
  return new CompressionError(ZSTD, 'corrupt', `zstd: ${msg}`);
}
function tooLarge(limit: number): CompressionError {
  return new CompressionError(ZSTD, 'limit', `zstd output exceeds ${limit} bytes`);
}

export function zstdCompress(data: Buffer, level = ZSTD_DEFAULT_LEVEL): Buffer {
  if (cctx === null) cctx = new (zstd().CCtx)();
  const dst = Buffer.allocUnsafe(zstd().compressBound(data.length));
  const n = cctx.compress(dst, data, level);
  return dst.subarray(0, n);
}

export function zstdDecompress(data: Buffer, maxOutputBytes: number): Buffer {
  const ctx = context();
  let declared: number | null = null;
  let oneFrame = false;
  try {
    declared = zstd().getFrameContentSize(data);
    oneFrame = zstd().findFrameCompressedSize(data) === data.length;
  } catch {
    declared = null; // header unreadable or several frames: the streaming path decides
  }
  if (declared !== null && declared > maxOutputBytes) throw tooLarge(maxOutputBytes);
  if (declared !== null && oneFrame) {
    const out = Buffer.allocUnsafe(declared);
    try {
      const n = ctx.decompress(out, data);
      return out.subarray(0, n);
    } catch (e) {
      ctx.reset(zstd().ResetDirective.sessionOnly);
      throw corrupt((e as Error).message);
    }
  }
  return streamBounded(ctx, data, maxOutputBytes);
}

function streamBounded(ctx: ZstdBinding.DCtx, data: Buffer, limit: number): Buffer {
  ctx.reset(zstd().ResetDirective.sessionOnly);
  const chunks: Buffer[] = [];
  let total = 0;
  let src = data;
  let pending = 1;
  try {
    while (src.length > 0 || pending > 0) {
      const dst = Buffer.allocUnsafe(CHUNK);
      const [ret, produced, consumed] = ctx.decompressStream(dst, src);
      src = src.subarray(consumed);
      pending = ret;
      if (produced > 0) {
        total += produced;
        if (total > limit) throw tooLarge(limit);
        chunks.push(dst.subarray(0, produced));
      }
      if (produced === 0 && consumed === 0) {
        if (ret !== 0) throw corrupt('truncated frame');
        break;
      }
    }
  } catch (e) {
    ctx.reset(zstd().ResetDirective.sessionOnly);
    if (e instanceof CompressionError) throw e;
    throw corrupt((e as Error).message);
  }
  return Buffer.concat(chunks, total);
}
