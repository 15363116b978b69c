// compat: needs=groups
// A consumer group reads 60 records and commits (admin.fetchOffsets: 20,20,20 = the high watermarks); a member
// rejoining the group resumes there and reads nothing; with no member left, admin.resetOffsets({earliest:
// true}) commits -2 (EARLIEST, which kafkajs commits as is and Kafka stores as is) for every partition; a
// member rejoining now reads all 60 again from offset 0 and commits 20,20,20 again.
import { kafka, TOPIC, GROUP, check, scenario, createTopic, messages, readAll, checkRecords, committedOffsets } from './_common.mjs';

await scenario(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, TOPIC, 3);
  const producer = kafka.producer();
  await producer.connect();
  const sent = messages(60, 'reset');
  await producer.send({ topic: TOPIC, acks: -1, messages: sent });
  await producer.disconnect();

  const first = await readAll({ topic: TOPIC, groupId: GROUP, want: 60 });
  checkRecords(first, sent);
  let committed = await committedOffsets(admin, GROUP, TOPIC);
  check(committed === '20,20,20', `after the first read: committed ${committed}, expected 20,20,20`);

  // Rejoining without a reset resumes at the committed offsets: nothing to read.
  const resumed = await readAll({ topic: TOPIC, groupId: GROUP, want: 0, settleMs: 500 });
  check(resumed.length === 0, `rejoining before the reset read ${resumed.length} records (from offset ${resumed[0]?.offset})`);

  await admin.resetOffsets({ groupId: GROUP, topic: TOPIC, earliest: true });
  committed = await committedOffsets(admin, GROUP, TOPIC);
  check(committed === '-2,-2,-2', `after resetOffsets(earliest): committed ${committed}, expected -2,-2,-2`);

  const again = await readAll({ topic: TOPIC, groupId: GROUP, want: 60 });
  checkRecords(again, sent);
  committed = await committedOffsets(admin, GROUP, TOPIC);
  check(committed === '20,20,20', `after the re-read: committed ${committed}, expected 20,20,20`);
  await admin.disconnect();
  console.log('ok: commit, fetchOffsets, resetOffsets(earliest), rejoin reads all 60 again from offset 0');
});
