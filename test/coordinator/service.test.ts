/**
 * The coordinator service with fake timers (vitest's, which also drive the injected clock) and the
 * memory storage engine: JoinGroup/SyncGroup promises resolved by transitions, a session expiring
 * through the service's own timer, durable commits replayed by a fresh coordinator, waiters released
 * on an aborted connection and on stop.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { GroupCoordinator } from '../../src/coordinator/group/coordinator.js';
import { createLogger } from '../../src/logger.js';
import { loadBrokerConfig } from '../../src/metadata/broker-config.js';
import { TopicRegistry } from '../../src/metadata/topic-registry.js';
import { TopicManager } from '../../src/metadata/topics.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { createStorage } from '../../src/storage/index.js';

const logger = createLogger({ level: 'silent' });
const config = loadBrokerConfig({ overrides: { 'group.initial.rebalance.delay.ms': 100, 'group.min.session.timeout.ms': 1000, 'offsets.topic.num.partitions': 4 } });

async function setup() {
  const storage = createStorage({ kind: 'memory' });
  await storage.open();
  const topics = new TopicManager(await TopicRegistry.load(null), storage, config, logger);
  await topics.createTopic({ name: 't', numPartitions: 2 });
  const make = async () => {
    const c = new GroupCoordinator({ topics, storage, config, logger, clock: { now: () => Date.now() } });
    await c.start();
    return c;
  };
  return { storage, topics, make };
}

const joinInput = (memberId = '') => ({
  groupId: 'g', memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('m') }],
  sessionTimeoutMs: 2000, rebalanceTimeoutMs: 5000, clientId: 'c', clientHost: '/127.0.0.1', requireKnownMemberId: true, supportsSkipAssignment: false,
});

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] }));
afterEach(() => vi.useRealTimers());

it('join and sync through promises; a silent member expires by the service timer', async () => {
  const { make } = await setup();
  const c = await make();
  const first = await c.join(joinInput());
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  const pending = c.join(joinInput(first.memberId!));
  await vi.advanceTimersByTimeAsync(100);
  const joined = await pending;
  expect(joined).toMatchObject({ errorCode: 0, generationId: 1, leader: first.memberId });
  const synced = await c.sync({ groupId: 'g', generationId: 1, memberId: joined.memberId!, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: joined.memberId!, assignment: Buffer.from('A') }] });
  expect(synced).toMatchObject({ errorCode: 0, assignment: Buffer.from('A') });
  expect(c.group('g')!.state).toBe('Stable');
  await vi.advanceTimersByTimeAsync(1900);
  expect(c.heartbeat({ groupId: 'g', generationId: 1, memberId: joined.memberId!, groupInstanceId: null })).toBe(0);
  await vi.advanceTimersByTimeAsync(2001);
  expect(c.group('g')!.state).toBe('Empty');
  await c.stop();
});

it('commits are durable: a new coordinator replays them from __consumer_offsets', async () => {
  const { make, topics } = await setup();
  const c = await make();
  const exists = (t: string, p: number) => (topics.get(t)?.leaderEpochs.length ?? 0) > p;
  const res = await c.commit({ groupId: 'simple', generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 17, committedLeaderEpoch: 0, committedMetadata: 'x' }, { partitionIndex: 9, committedOffset: 1, committedLeaderEpoch: 0, committedMetadata: null }] }] }, exists);
  expect(res[0].partitions.map((p) => p.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  expect(topics.get('__consumer_offsets')!.internal).toBe(true);
  await c.stop();
  const again = await make();
  expect(again.fetch('simple', [{ name: 't', partitionIndexes: [0, 1] }])[0].partitions.map((p) => p.committedOffset)).toEqual([-1, 17]);
  expect(again.list([], []).map((g) => g.groupId)).toEqual(['simple']);
  expect(await again.deleteGroups(['simple', 'nope'])).toEqual([{ groupId: 'simple', errorCode: 0 }, { groupId: 'nope', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  await again.stop();
  const third = await make();
  expect(third.list([], [])).toEqual([]);
  await third.stop();
});

it('a waiting JoinGroup is released when its connection closes, and all waiters on stop', async () => {
  const { make } = await setup();
  const c = await make();
  const ac = new AbortController();
  const a = c.join({ ...joinInput(), requireKnownMemberId: false }, ac.signal);
  const b = c.join({ ...joinInput(), requireKnownMemberId: false });
  ac.abort();
  expect((await a).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  await c.stop();
  expect((await b).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
});
