// Third-party KafkaJS codecs for snappy, lz4 and zstd (kafkajs itself only has gzip). They live in
// compat-tests/kafkajs/node_modules (package.json + package-lock.json here; `.ci/run` runs `npm ci` in this
// folder, with CXXFLAGS=-std=gnu++17 so the native lz4 and cppzst addons build against Node 20's headers).
// Brook's own compression code is never used here: these scenarios are a third-party check.
//
// Each codec is wrapped to count its calls, so a scenario can prove that the records it read back really
// came out of the broker compressed with that codec (kafkajs picks the decoder from the batch attributes).
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { fail } from './_common.mjs';

const { CompressionTypes, CompressionCodecs } = kafkajs; // CompressionCodecs is not a named ESM export
const require = createRequire(import.meta.url);

function load(pkg) {
  try {
    return require(pkg);
  } catch (e) {
    fail(`codec package ${pkg} not installed or not loadable (cd compat-tests/kafkajs && CXXFLAGS=-std=gnu++17 npm ci): ${e.message.split('\n')[0]}`);
  }
}

const factories = {
  snappy: () => load('kafkajs-snappy'),
  lz4: () => new (load('kafkajs-lz4'))().codec,
  zstd: () => load('@kafkajs/zstd')(),
};
const types = { snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD };

/** Registers the community codec for `name` with kafkajs; returns {type, calls: {compress, decompress}}. */
export function useCodec(name) {
  const type = types[name];
  const calls = { compress: 0, decompress: 0 };
  const inner = factories[name]()();
  CompressionCodecs[type] = () => ({
    async compress(encoder) {
      calls.compress++;
      return inner.compress(encoder);
    },
    async decompress(buffer) {
      calls.decompress++;
      return inner.decompress(buffer);
    },
  });
  return { type, calls };
}
