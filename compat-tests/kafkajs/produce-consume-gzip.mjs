// compat: needs=groups
// Produce and consume with gzip (kafkajs built in); see _roundtrip.mjs.
import { CompressionTypes, scenario } from './_common.mjs';
import { produceConsume } from './_roundtrip.mjs';

await scenario(() => produceConsume(CompressionTypes.GZIP, 'gzip'));
