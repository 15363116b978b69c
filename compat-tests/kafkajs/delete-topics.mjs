// Admin deleteTopics: two topics (2 partitions) with 10 records each; deleting the first removes it from
// listTopics and fetchTopicMetadata of the whole cluster, leaves the second with its records (high 5,5);
// deleting a topic that does not exist fails with UNKNOWN_TOPIC_OR_PARTITION; creating the deleted name again
// gives an empty topic (high 0,0), not the old records.
import { kafka, TOPIC, check, scenario, createTopic, messages, sleep, remaining, highWatermarks } from './_common.mjs';

await scenario(async () => {
  const admin = kafka.admin();
  await admin.connect();
  const a = `${TOPIC}-a`;
  const b = `${TOPIC}-b`;
  await createTopic(admin, a, 2);
  await createTopic(admin, b, 2);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: a, acks: -1, messages: messages(10, 'a', 2) });
  await producer.send({ topic: b, acks: -1, messages: messages(10, 'b', 2) });
  await producer.disconnect();
  check((await highWatermarks(admin, a)) === '5,5', `${a} high ${await highWatermarks(admin, a)}`);

  await admin.deleteTopics({ topics: [a], timeout: 15000 });
  let listed = true;
  while (listed && remaining() > 0) {
    listed = (await admin.listTopics()).includes(a);
    if (listed) await sleep(200);
  }
  check(!listed, `${a} still listed after deleteTopics`);
  const all = await admin.fetchTopicMetadata();
  const names = all.topics.map((t) => t.name);
  check(!names.includes(a) && names.includes(b), `cluster metadata after the delete: ${a} ${names.includes(a) ? 'present' : 'gone'}, ${b} ${names.includes(b) ? 'present' : 'gone'}`);
  check((await highWatermarks(admin, b)) === '5,5', `${b} high ${await highWatermarks(admin, b)} after deleting ${a}`);

  // kafkajs retries UNKNOWN_TOPIC_OR_PARTITION; an admin without retries shows the broker's answer at once.
  const once = kafka.admin({ retry: { retries: 0 } });
  await once.connect();
  let err;
  try {
    await once.deleteTopics({ topics: [`${TOPIC}-never-created`], timeout: 5000 });
  } catch (e) {
    err = e;
    while (err.cause || err.originalError) err = err.cause || err.originalError; // unwrap KafkaJSNumberOfRetriesExceeded
  }
  await once.disconnect();
  check(err?.type === 'UNKNOWN_TOPIC_OR_PARTITION', `deleting a missing topic: ${err ? `${err.name} ${err.type}: ${err.message}` : 'no error'}`);

  // Recreating the name may briefly fail while the old topic is still being removed: retry for a while.
  let created = false;
  while (!created && remaining() > 0) {
    try {
      created = await admin.createTopics({ topics: [{ topic: a, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true, timeout: 10000 });
    } catch (e) {
      if (e.type !== 'TOPIC_ALREADY_EXISTS' && e.type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw e;
    }
    if (!created) await sleep(500);
  }
  check(created === true, `could not create ${a} again`);
  const high = await highWatermarks(admin, a);
  check(high === '0,0', `${a} recreated: high ${high}, expected 0,0 (old records gone)`);
  await admin.disconnect();
  console.log('ok: delete one of two topics, the other keeps its records, missing topic error, recreate empty');
});
