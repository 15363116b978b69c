/**
 * Registers snappy, lz4 and zstd with kafkajs (which ships only gzip), implemented with Brook's own
 * src/protocol/compression. kafkajs's codec interface: compress(encoder) → Buffer of encoder.buffer,
 * decompress(buffer) → Buffer.
 */
import kafkajs from 'kafkajs';
import { compress, decompress } from '../../src/protocol/compression/index.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;
const MAX_DECOMPRESSED = 256 * 1024 * 1024;

export function registerKafkajsCodecs(): void {
  for (const type of [CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) {
    (CompressionCodecs as Record<number, unknown>)[type] = () => ({
      compress: async (encoder: { buffer: Buffer }) => compress(type, encoder.buffer),
      decompress: async (buf: Buffer) => decompress(type, buf, MAX_DECOMPRESSED),
    });
  }
}

/** Every codec by name, with its kafkajs type: the data-path suites run once per entry. */
export const KAFKAJS_CODECS = [
  ['none', CompressionTypes.None],
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
  ['zstd', CompressionTypes.ZSTD],
] as const;
