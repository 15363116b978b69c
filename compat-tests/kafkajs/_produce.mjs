// Produce-only round (no consumer group): several sends of keyed messages with headers to explicit partitions;
// every send's record metadata has errorCode 0 and baseOffsets that continue per partition; ListOffsets
// (fetchTopicOffsets) then shows the high watermark = messages sent per partition.
import { kafka, TOPIC, check, createTopic, messages } from './_common.mjs';

export async function produceRound(compression, label) {
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, TOPIC, 3);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const all = messages(300, label);
  const next = [0, 0, 0];
  for (let s = 0; s < all.length; s += 30) {
    const batch = all.slice(s, s + 30);
    const md = await producer.send({ topic: TOPIC, compression, acks: -1, messages: batch });
    check(md.length === 3, `send returned metadata for ${md.length} partitions`);
    for (const m of md) {
      check(m.topicName === TOPIC && m.errorCode === 0, `send: ${JSON.stringify(m)}`);
      check(Number(m.baseOffset) === next[m.partition], `partition ${m.partition}: baseOffset ${m.baseOffset}, expected ${next[m.partition]}`);
      next[m.partition] += batch.filter((x) => x.partition === m.partition).length;
    }
  }
  const offsets = (await admin.fetchTopicOffsets(TOPIC)).sort((a, b) => a.partition - b.partition);
  check(offsets.map((o) => o.high).join() === '100,100,100', `high watermarks ${offsets.map((o) => o.high)}`);
  check(offsets.every((o) => o.low === '0'), `low watermarks ${offsets.map((o) => o.low)}`);
  await producer.disconnect();
  await admin.disconnect();
  console.log(`ok: 300 messages (${label}) acknowledged with consecutive offsets`);
}
