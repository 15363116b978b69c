// Produce without compression; checks acknowledgements and offsets (no consumer group).
import { CompressionTypes, scenario } from './_common.mjs';
import { produceRound } from './_produce.mjs';

await scenario(() => produceRound(CompressionTypes.None, 'none'));
