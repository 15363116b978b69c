// compat: needs=idempotence
// An idempotent producer (idempotent: true, maxInFlightRequests: 1, acks all) sends 10 batches of 30 to 3
// partitions: consecutive baseOffsets, high watermarks 100,100,100, and read back exactly once in order. Every
// record batch carries one producer id (>= 0), an epoch >= 0, no transactional bit, and per partition its
// firstSequence equals the number of records the producer sent there before (0, 10, 20, ...).
import { kafka, TOPIC, GROUP, check, scenario, createTopic, messages, readAll, checkRecords, highWatermarks } from './_common.mjs';

await scenario(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, TOPIC, 3);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const sent = messages(300, 'idem');
  const next = [0, 0, 0];
  for (let s = 0; s < sent.length; s += 30) {
    const batch = sent.slice(s, s + 30);
    const md = await producer.send({ topic: TOPIC, acks: -1, messages: batch });
    for (const m of md) {
      check(m.errorCode === 0, `send: ${JSON.stringify(m)}`);
      check(Number(m.baseOffset) === next[m.partition], `partition ${m.partition}: baseOffset ${m.baseOffset}, expected ${next[m.partition]}`);
      next[m.partition] += 10;
    }
  }
  await producer.disconnect();
  const high = await highWatermarks(admin, TOPIC);
  check(high === '100,100,100', `high watermarks ${high}`);

  const got = await readAll({ topic: TOPIC, groupId: GROUP, want: 300 });
  checkRecords(got, sent);
  const pids = new Set(got.map((r) => r.ctx.producerId));
  check(pids.size === 1 && ![...pids][0].startsWith('-'), `producer ids in the batches: ${[...pids]}`);
  check(got.every((r) => r.ctx.producerEpoch >= 0), `producer epochs ${[...new Set(got.map((r) => r.ctx.producerEpoch))]}`);
  check(got.every((r) => r.ctx.inTransaction === false), 'a batch with the transactional bit');
  for (const r of got) {
    // Each send puts 10 records in one batch per partition: the batch starting at offset o has sequence o.
    check(r.ctx.firstSequence === Number(r.ctx.firstOffset), () => `partition ${r.partition} offset ${r.offset}: batch firstOffset ${r.ctx.firstOffset}, firstSequence ${r.ctx.firstSequence}`);
  }
  await admin.disconnect();
  console.log(`ok: 300 idempotent records, producerId ${[...pids][0]}, sequences follow offsets`);
});
