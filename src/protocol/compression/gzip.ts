/**
 * gzip (Kafka codec 1) through Node's zlib. maxOutputLength makes zlib stop inflating as soon as the
 * output passes the limit, so a bomb costs at most `limit` bytes of memory.
 */
import zlib from 'node:zlib';
import { CompressionError } from './compression-error.js';

export const GZIP = 1;

export function gzipCompress(data: Buffer, level = zlib.constants.Z_DEFAULT_COMPRESSION): Buffer {
  return zlib.gzipSync(data, { level });
}

export function gzipDecompress(data: Buffer, maxOutputBytes: number): Buffer {
  try {
    return zlib.gunzipSync(data, { maxOutputLength: Math.max(1, maxOutputBytes) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new CompressionError(GZIP, 'limit', `gzip output exceeds ${maxOutputBytes} bytes`);
    }
    throw new CompressionError(GZIP, 'corrupt', `gzip: ${err.message}`);
  }
}
