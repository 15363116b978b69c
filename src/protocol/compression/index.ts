export { CompressionError, type CompressionFailure } from './compression-error.js';
export {
  CompressionCodec,
  type CompressionCodecId,
  type CompressionName,
  type CompressOptions,
  codecByName,
  codecName,
  compress,
  decompress,
  isKnownCodec,
} from './codec.js';
export { gzipCompress, gzipDecompress } from './gzip.js';
export { isXerialSnappy, snappyCompressRaw, snappyCompressXerial, snappyDecompress } from './snappy.js';
export { lz4Compress, lz4Decompress, lz4DecompressPortable } from './lz4.js';
export { zstdCompress, zstdDecompress, ZSTD_DEFAULT_LEVEL } from './zstd.js';
export { xxhash32 } from './xxhash32.js';
