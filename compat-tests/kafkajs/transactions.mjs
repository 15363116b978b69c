// compat: needs=transactions timeout=90
// A transactional producer (transactionalId, idempotent, maxInFlightRequests 1) on 3 partitions: commits 30
// records, aborts 30, commits 15, then leaves a 4th transaction of 3 records open. Per partition that is
// records 0-9, marker 10, aborted 11-20, marker 21, records 22-26, marker 27, open 28 (one record per partition). While the 4th is open:
// admin.fetchTopicOffsets (kafkajs lists offsets read_committed) shows the last stable offset 28; a
// read_committed consumer (readUncommitted: false) gets exactly the 45 committed records at their offsets
// (skipping aborted records and markers) and nothing of the open transaction; a read_uncommitted consumer gets
// all 78 records. Every record's batch has the transactional bit and the producer's id; committing the 4th
// moves the stable offset to 30 (marker at 29) and a new read_committed group reads 48.
import { kafka, TOPIC, GROUP, check, scenario, createTopic, messages, readAll, checkRecords, highWatermarks, sleep } from './_common.mjs';

await scenario(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, TOPIC, 3);
  const producer = kafka.producer({ transactionalId: `${TOPIC}-txn`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  const c1 = messages(30, 'commit1');
  const ab = messages(30, 'abort');
  const c2 = messages(15, 'commit2');
  const open = messages(3, 'open');
  let t = await producer.transaction();
  await t.send({ topic: TOPIC, acks: -1, messages: c1 });
  await t.commit();
  t = await producer.transaction();
  await t.send({ topic: TOPIC, acks: -1, messages: ab });
  await t.abort();
  t = await producer.transaction();
  await t.send({ topic: TOPIC, acks: -1, messages: c2 });
  await t.commit();
  const pending = await producer.transaction();
  await pending.send({ topic: TOPIC, acks: -1, messages: open });

  const stable = await highWatermarks(admin, TOPIC);
  check(stable === '28,28,28', `with a transaction open, fetchTopicOffsets (read_committed) high = ${stable}, expected 28,28,28`);

  const committed = await readAll({ topic: TOPIC, groupId: `${GROUP}-rc`, want: 45 });
  checkRecords(committed, [...c1, ...c2], 3, (_p, j) => (j < 10 ? j : j + 12));

  const all = await readAll({ topic: TOPIC, groupId: `${GROUP}-ru`, want: 78, readUncommitted: true });
  checkRecords(all, [...c1, ...ab, ...c2, ...open], 3, (_p, j) => j + (j < 10 ? 0 : j < 20 ? 1 : j < 25 ? 2 : 3)); // the open record is j 25
  const pids = new Set(all.map((r) => r.ctx.producerId));
  check(pids.size === 1 && ![...pids][0].startsWith('-'), `producer ids in the batches: ${[...pids]}`);
  check(all.every((r) => r.ctx.inTransaction === true), 'a record batch without the transactional bit');
  check(all.every((r) => r.ctx.producerEpoch >= 0), `producer epochs ${[...new Set(all.map((r) => r.ctx.producerEpoch))]}`);

  await pending.commit();
  // EndTxn answers once the commit is decided; the markers are written after it (Kafka does so asynchronously).
  let after = await highWatermarks(admin, TOPIC);
  for (let i = 0; i < 100 && after !== '30,30,30'; i++) {
    await sleep(100);
    after = await highWatermarks(admin, TOPIC);
  }
  check(after === '30,30,30', `after the last commit, high = ${after}, expected 30,30,30`);
  const final = await readAll({ topic: TOPIC, groupId: `${GROUP}-rc2`, want: 48 });
  checkRecords(final, [...c1, ...c2, ...open], 3, (_p, j) => (j < 10 ? j : j < 15 ? j + 12 : j + 13));

  await producer.disconnect();
  await admin.disconnect();
  console.log(`ok: committed/aborted/open transactions; read_committed 45 then 48, read_uncommitted 78; producerId ${[...pids][0]}`);
});
