// compat: needs=groups
// Produce gzip and uncompressed messages to 3 partitions, read them all back with a consumer group
// (fromBeginning): per partition in order with keys, values and headers; the group's committed offsets
// (admin.fetchOffsets) end at the high watermarks.
import { kafka, TOPIC, GROUP, CompressionTypes, check, scenario, createTopic, messages, sleep, remaining } from './_common.mjs';

await scenario(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, TOPIC, 3);
  const producer = kafka.producer();
  await producer.connect();
  const gz = messages(150, 'gzip');
  const plain = messages(150, 'none');
  await producer.send({ topic: TOPIC, compression: CompressionTypes.GZIP, messages: gz });
  await producer.send({ topic: TOPIC, compression: CompressionTypes.None, messages: plain });
  await producer.disconnect();
  const sent = [...gz, ...plain];

  const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  const got = [];
  await consumer.run({
    autoCommitInterval: 200,
    eachMessage: async ({ partition, message }) => {
      got.push({ partition, offset: Number(message.offset), key: message.key?.toString(), value: message.value?.toString(),
        headers: Object.fromEntries(Object.entries(message.headers || {}).map(([k, v]) => [k, v?.toString()])) });
    },
  });
  while (got.length < sent.length && remaining() > 0) await sleep(100);
  await sleep(500); // anything extra would show up now
  await consumer.stop();
  await consumer.disconnect(); // commits the resolved offsets

  check(got.length === sent.length, `consumed ${got.length} of ${sent.length}`);
  for (const p of [0, 1, 2]) {
    const want = sent.filter((m) => m.partition === p);
    const have = got.filter((m) => m.partition === p);
    check(have.length === want.length, `partition ${p}: ${have.length} records, expected ${want.length}`);
    have.forEach((m, j) => {
      const w = want[j];
      check(m.offset === j, `partition ${p}: record ${j} at offset ${m.offset}`);
      check(m.key === w.key && m.value === w.value, () => `partition ${p} offset ${j}: got ${m.key}/${m.value.slice(0, 16)}, want ${w.key}/${w.value.slice(0, 16)}`);
      check(m.headers.i === w.headers.i && m.headers.tag === w.headers.tag, () => `partition ${p} offset ${j}: headers ${JSON.stringify(m.headers)}`);
    });
  }

  const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  const parts = committed[0].partitions.sort((a, b) => a.partition - b.partition);
  check(parts.map((p) => p.offset).join() === '100,100,100', `committed offsets ${parts.map((p) => p.offset)}`);
  await admin.disconnect();
  console.log('ok: 300 messages read back by a consumer group, offsets committed');
});
