// compat: needs=groups
// Produce and consume with snappy through the community KafkaJS codec (see _codecs.mjs); see _roundtrip.mjs.
import { scenario } from './_common.mjs';
import { useCodec } from './_codecs.mjs';
import { produceConsume } from './_roundtrip.mjs';

const codec = useCodec('snappy');
await scenario(() => produceConsume(codec.type, 'snappy', codec.calls));
