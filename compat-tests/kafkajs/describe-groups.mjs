// compat: needs=groups
// Two kafkajs consumers in one group on a 3-partition topic. admin.describeGroups while both run: the group is
// Stable, protocolType "consumer", protocol "RoundRobinAssigner" (kafkajs' default), two members whose ids
// are the ones the consumers got at GROUP_JOIN, clientId brook-compat, subscription metadata naming the topic,
// and assignments that split partitions 0,1,2 between them. A group nobody used is Dead with no members. After
// both leave (having committed), the group is Empty with no members.
import kafkajs from 'kafkajs';
import { kafka, TOPIC, GROUP, check, scenario, createTopic, messages, sleep, remaining } from './_common.mjs';

const { AssignerProtocol } = kafkajs;

await scenario(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, TOPIC, 3);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, acks: -1, messages: messages(30, 'describe') });
  await producer.disconnect();

  const joins = new Map(); // consumer index -> latest GROUP_JOIN payload
  let consumed = 0;
  const consumers = [0, 1].map(() => kafka.consumer({ groupId: GROUP, sessionTimeout: 10000, heartbeatInterval: 500, maxWaitTimeInMs: 300 }));
  for (const [i, c] of consumers.entries()) {
    c.on(c.events.GROUP_JOIN, (e) => joins.set(i, e.payload));
    await c.connect();
    await c.subscribe({ topics: [TOPIC], fromBeginning: true });
    await c.run({ autoCommitInterval: 200, eachMessage: async () => void consumed++ });
  }

  // Wait for a generation in which both consumers hold a share of the partitions and the group is Stable.
  let group;
  while (remaining() > 0) {
    const d = await admin.describeGroups([GROUP]);
    group = d.groups[0];
    const ids = [...joins.values()].map((j) => j.memberId).sort().join();
    if (group.state === 'Stable' && group.members.length === 2 && ids === group.members.map((m) => m.memberId).sort().join()) break;
    await sleep(200);
  }
  check(group.groupId === GROUP && group.errorCode === 0, `describeGroups: ${group.groupId} error ${group.errorCode}`);
  check(group.state === 'Stable', `state ${group.state}, expected Stable`);
  check(group.protocolType === 'consumer', `protocolType ${group.protocolType}`);
  check(group.protocol === 'RoundRobinAssigner', `protocol ${group.protocol}, expected RoundRobinAssigner`);
  check(group.members.length === 2, `${group.members.length} members, expected 2`);
  const joinedIds = [...joins.values()].map((j) => j.memberId).sort().join();
  check(group.members.map((m) => m.memberId).sort().join() === joinedIds, `member ids ${group.members.map((m) => m.memberId)}, joined as ${joinedIds}`);
  const assigned = [];
  for (const m of group.members) {
    check(m.clientId === 'brook-compat', `member clientId ${m.clientId}`);
    check(typeof m.clientHost === 'string' && m.clientHost.length > 0, `member clientHost ${m.clientHost}`);
    const meta = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
    check(meta && meta.topics.join() === TOPIC, () => `member ${m.memberId} subscription ${JSON.stringify(meta)}`);
    const asg = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
    const parts = asg?.assignment?.[TOPIC] || [];
    check(parts.length >= 1, () => `member ${m.memberId} assignment ${JSON.stringify(asg)}`);
    assigned.push(...parts);
  }
  check(assigned.sort().join() === '0,1,2', `assignments cover partitions ${assigned}`);

  const none = (await admin.describeGroups([`${GROUP}-never-used`])).groups[0];
  check(none.state === 'Dead' && none.members.length === 0, `unused group: state ${none.state}, ${none.members.length} members`);

  while (consumed < 30 && remaining() > 0) await sleep(100);
  check(consumed === 30, `the two members consumed ${consumed} of 30`);
  for (const c of consumers) {
    await c.stop();
    await c.disconnect();
  }
  let after;
  for (let i = 0; i < 50; i++) {
    after = (await admin.describeGroups([GROUP])).groups[0];
    if (after.members.length === 0) break;
    await sleep(100);
  }
  check(after.state === 'Empty' && after.members.length === 0, `after both left: state ${after.state}, ${after.members.length} members`);
  await admin.disconnect();
  console.log(`ok: Stable group of 2 (${joinedIds}), RoundRobinAssigner, partitions split; Dead when unused; Empty after leaving`);
});
