// Admin: createTopics (3 partitions) with waitForLeaders; listTopics and fetchTopicMetadata show it with one
// leader per partition; describeCluster names the broker at the bootstrap address; a second createTopics
// returns false (TOPIC_ALREADY_EXISTS); deleteTopics removes it.
import { kafka, TOPIC, BOOTSTRAP, check, scenario, createTopic, sleep, remaining } from './_common.mjs';

await scenario(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, TOPIC, 3);

  const cluster = await admin.describeCluster();
  check(cluster.brokers.length === 1, `describeCluster: ${cluster.brokers.length} brokers`);
  const [b] = cluster.brokers;
  check(`${b.host}:${b.port}` === BOOTSTRAP, `broker ${b.host}:${b.port}, bootstrap ${BOOTSTRAP}`);
  check(typeof cluster.clusterId === 'string' && cluster.clusterId.length > 0, 'no cluster id');
  check(cluster.controller === b.nodeId, `controller ${cluster.controller}, broker ${b.nodeId}`);

  const topics = await admin.listTopics();
  check(topics.includes(TOPIC), `listTopics lacks ${TOPIC}`);

  const md = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  check(md.topics.length === 1 && md.topics[0].name === TOPIC, `fetchTopicMetadata: ${JSON.stringify(md.topics.map((t) => t.name))}`);
  const parts = md.topics[0].partitions.sort((x, y) => x.partitionId - y.partitionId);
  check(parts.map((p) => p.partitionId).join() === '0,1,2', `partitions ${parts.map((p) => p.partitionId)}`);
  for (const p of parts) {
    check(p.partitionErrorCode === 0, `partition ${p.partitionId} error ${p.partitionErrorCode}`);
    check(p.leader === b.nodeId, `partition ${p.partitionId} leader ${p.leader}`);
    check(p.replicas.join() === String(b.nodeId) && p.isr.join() === String(b.nodeId), `partition ${p.partitionId} replicas ${p.replicas} isr ${p.isr}`);
  }

  const offsets = await admin.fetchTopicOffsets(TOPIC);
  check(offsets.length === 3 && offsets.every((o) => o.low === '0' && o.high === '0'), `offsets of an empty topic: ${JSON.stringify(offsets)}`);

  const again = await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }] });
  check(again === false, `second createTopics returned ${again}, expected false (already exists)`);

  await admin.deleteTopics({ topics: [TOPIC], timeout: 15000 });
  let gone = false;
  while (!gone && remaining() > 0) {
    gone = !(await admin.listTopics()).includes(TOPIC);
    if (!gone) await sleep(200);
  }
  check(gone, `${TOPIC} still listed after deleteTopics`);
  await admin.disconnect();
  console.log('ok: create, describe, metadata, offsets, duplicate, delete');
});
