// compat: needs=transactions timeout=90
// Consume-transform-produce: 30 input records on 3 partitions; a transactional producer (idempotent,
// maxInFlightRequests 1) sends 30 transformed records to an output topic and, in the same transaction,
// sendOffsets for group $GROUP on the input (10,10,10), and commits. A second transaction sends 30 more and
// sendOffsets 99,99,99, then aborts. admin.fetchOffsets shows 10,10,10 (the aborted offsets never count); a
// read_committed consumer of the output gets exactly the 30 committed records (offsets 0-9 per partition); a
// consumer in $GROUP on the input starts at the committed offsets and finds nothing left.
import { kafka, TOPIC, GROUP, check, scenario, createTopic, messages, readAll, checkRecords, committedOffsets, sleep } from './_common.mjs';

const T0 = Date.now();
const step = (what) => console.log(`${((Date.now() - T0) / 1000).toFixed(1)}s ${what}`);
await scenario(async () => {
  const admin = kafka.admin();
  await admin.connect();
  const input = `${TOPIC}-in`;
  const output = `${TOPIC}-out`;
  await createTopic(admin, input, 3);
  await createTopic(admin, output, 3);
  const plain = kafka.producer();
  await plain.connect();
  const sent = messages(30, 'input');
  await plain.send({ topic: input, acks: -1, messages: sent });
  await plain.disconnect();

  const producer = kafka.producer({ transactionalId: `${TOPIC}-txn`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const transformed = sent.map((m) => ({ ...m, value: m.value.toUpperCase(), headers: { ...m.headers, from: 'input' } }));
  const offsets = (o) => [{ topic: input, partitions: [0, 1, 2].map((partition) => ({ partition, offset: String(o) })) }];

  step('setup done');
  let t = await producer.transaction();
  await t.send({ topic: output, acks: -1, messages: transformed });
  await t.sendOffsets({ consumerGroupId: GROUP, topics: offsets(10) });
  await t.commit();

  step('first transaction committed');
  t = await producer.transaction();
  await t.send({ topic: output, acks: -1, messages: messages(30, 'aborted') });
  await t.sendOffsets({ consumerGroupId: GROUP, topics: offsets(99) });
  await t.abort();
  await producer.disconnect();

  step('second transaction aborted');
  // The abort's markers and the group's pending offsets are settled just after EndTxn: poll briefly.
  let committed = await committedOffsets(admin, GROUP, input);
  for (let i = 0; i < 50 && committed !== '10,10,10'; i++) {
    await sleep(100);
    committed = await committedOffsets(admin, GROUP, input);
  }
  check(committed === '10,10,10', `group offsets after commit + aborted sendOffsets: ${committed}, expected 10,10,10`);

  step('group offsets checked');
  const out = await readAll({ topic: output, groupId: `${GROUP}-out`, want: 30 });
  checkRecords(out, transformed);
  check(out.every((r) => r.ctx.inTransaction === true), 'an output batch without the transactional bit');

  step('output read');
  const rest = await readAll({ topic: input, groupId: GROUP, want: 0, settleMs: 1000 });
  check(rest.length === 0, `the group resumed on the input and read ${rest.length} records (first offset ${rest[0]?.offset})`);
  await admin.disconnect();
  console.log('ok: send + sendOffsets + commit, send + sendOffsets + abort; offsets and output as committed');
});
