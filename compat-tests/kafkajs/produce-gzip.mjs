// Produce with gzip (kafkajs' built-in codec); checks acknowledgements and offsets (no consumer group).
import { CompressionTypes, scenario } from './_common.mjs';
import { produceRound } from './_produce.mjs';

await scenario(() => produceRound(CompressionTypes.GZIP, 'gzip'));
