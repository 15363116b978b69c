/**
 * Kafka's compression codecs by attribute id, with a hard output limit on every decompression so a
 * decompression bomb is a CompressionError (→ CORRUPT_MESSAGE / MESSAGE_TOO_LARGE), never an outage.
 */
import { CompressionError } from './compression-error.js';
import { gzipCompress, gzipDecompress } from './gzip.js';
import { lz4Compress, lz4Decompress } from './lz4.js';
import { snappyCompressRaw, snappyCompressXerial, snappyDecompress } from './snappy.js';
import { zstdCompress, zstdDecompress } from './zstd.js';

/** Codec ids as stored in the low 3 bits of batch (v2) or message (v0/v1) attributes. */
export const CompressionCodec = {
  NONE: 0,
  GZIP: 1,
  SNAPPY: 2,
  LZ4: 3,
  ZSTD: 4,
} as const;
export type CompressionCodecId = (typeof CompressionCodec)[keyof typeof CompressionCodec];

const NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionName = (typeof NAMES)[number];

export function isKnownCodec(codec: number): codec is CompressionCodecId {
  return Number.isInteger(codec) && codec >= 0 && codec <= 4;
}

export function codecName(codec: number): string {
  return isKnownCodec(codec) ? NAMES[codec] : `unknown(${codec})`;
}

/** Topic-config / client name ("gzip", "zstd", …) → codec id, or undefined. */
export function codecByName(name: string): CompressionCodecId | undefined {
  const i = (NAMES as readonly string[]).indexOf(name.toLowerCase());
  return i < 0 ? undefined : (i as CompressionCodecId);
}

export interface CompressOptions {
  /** gzip / zstd level; codec default when omitted. */
  level?: number;
  /** Snappy framing to write: 'xerial' (what Kafka writes, the default) or 'raw' (what librdkafka writes). */
  snappyFraming?: 'xerial' | 'raw';
  /** LZ4: write the pre-0.10 broken header checksum (KAFKA-3160); Kafka does this only for magic 0. */
  lz4BrokenHeaderChecksum?: boolean;
}

export function compress(codec: number, data: Buffer, options: CompressOptions = {}): Buffer {
  switch (codec) {
    case CompressionCodec.NONE:
      return data;
    case CompressionCodec.GZIP:
      return gzipCompress(data, options.level);
    case CompressionCodec.SNAPPY:
      return options.snappyFraming === 'raw' ? snappyCompressRaw(data) : snappyCompressXerial(data);
    case CompressionCodec.LZ4:
      return lz4Compress(data, options.lz4BrokenHeaderChecksum ?? false);
    case CompressionCodec.ZSTD:
      return zstdCompress(data, options.level);
    default:
      throw new CompressionError(codec, 'unsupported', `unknown compression codec ${codec}`);
  }
}

/**
 * Decompresses `data`, failing with CompressionError('limit') before the output grows past
 * maxOutputBytes, and with CompressionError('corrupt') on malformed input. Never throws anything else.
 */
export function decompress(codec: number, data: Buffer, maxOutputBytes: number): Buffer {
  try {
    switch (codec) {
      case CompressionCodec.NONE:
        if (data.length > maxOutputBytes) {
          throw new CompressionError(codec, 'limit', `output exceeds ${maxOutputBytes} bytes`);
        }
        return data;
      case CompressionCodec.GZIP:
        return gzipDecompress(data, maxOutputBytes);
      case CompressionCodec.SNAPPY:
        return snappyDecompress(data, maxOutputBytes);
      case CompressionCodec.LZ4:
        return lz4Decompress(data, maxOutputBytes);
      case CompressionCodec.ZSTD:
        return zstdDecompress(data, maxOutputBytes);
      default:
        throw new CompressionError(codec, 'unsupported', `unknown compression codec ${codec}`);
    }
  } catch (e) {
    if (e instanceof CompressionError) throw e;
    // Defensive: a RangeError from a Buffer read on malformed input is corruption, not a crash.
    throw new CompressionError(codec, 'corrupt', `${codecName(codec)}: ${(e as Error).message}`);
  }
}
