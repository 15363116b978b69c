// Produce-and-consume round for one codec: 300 keyed messages with headers in 10 sends of 30 to 3 explicit
// partitions (acks=all), consecutive baseOffsets per partition; a consumer group reads them back
// (fromBeginning) per partition in order with keys, values, headers and offsets 0..99; committed offsets end
// at 100,100,100. With a counted community codec, the codec must have compressed every send and decompressed
// what came back (kafkajs picks the decoder from the batch attributes the broker returned).
import { kafka, TOPIC, GROUP, check, createTopic, messages, readAll, checkRecords, committedOffsets, highWatermarks } from './_common.mjs';

export async function produceConsume(compression, label, calls) {
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, TOPIC, 3);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const sent = messages(300, label);
  const next = [0, 0, 0];
  for (let s = 0; s < sent.length; s += 30) {
    const batch = sent.slice(s, s + 30);
    const md = await producer.send({ topic: TOPIC, compression, acks: -1, messages: batch });
    check(md.length === 3, `send returned metadata for ${md.length} partitions`);
    for (const m of md) {
      check(m.errorCode === 0, `send: ${JSON.stringify(m)}`);
      check(Number(m.baseOffset) === next[m.partition], `partition ${m.partition}: baseOffset ${m.baseOffset}, expected ${next[m.partition]}`);
      next[m.partition] += batch.filter((x) => x.partition === m.partition).length;
    }
  }
  await producer.disconnect();
  check((await highWatermarks(admin, TOPIC)) === '100,100,100', `high watermarks ${await highWatermarks(admin, TOPIC)}`);
  if (calls) check(calls.compress === 30, `${label} codec compressed ${calls.compress} batches, expected 30 (10 sends x 3 partitions)`);

  const got = await readAll({ topic: TOPIC, groupId: GROUP, want: sent.length });
  checkRecords(got, sent);
  if (calls) check(calls.decompress >= 3, `${label} codec decompressed ${calls.decompress} batches: the broker did not return ${label} batches`);

  const committed = await committedOffsets(admin, GROUP, TOPIC);
  check(committed === '100,100,100', `committed offsets ${committed}`);
  await admin.disconnect();
  console.log(`ok: 300 messages (${label}) produced and read back in order${calls ? `; codec calls ${JSON.stringify(calls)}` : ''}`);
}
