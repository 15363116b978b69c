// compat: needs=groups
// Produce and consume with none (kafkajs built in); see _roundtrip.mjs.
import { CompressionTypes, scenario } from './_common.mjs';
import { produceConsume } from './_roundtrip.mjs';

await scenario(() => produceConsume(CompressionTypes.None, 'none'));
