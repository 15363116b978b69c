import { describe, expect, it } from 'vitest';
import { deleteGroup, describeGroup, listGroups } from '../../src/coordinator/group/admin.js';
import { commitOffsets, deleteOffsets, expireOffsets, fetchOffsets, type CommitInput } from '../../src/coordinator/group/offsets.js';
import { applyRecord, emptyState, replayPartition, toBatch } from '../../src/coordinator/group/persistence.js';
import { decodeRecord, encodeKey, encodeValue, partitionFor } from '../../src/coordinator/group/records.js';
import { snapshotOf } from '../../src/coordinator/group/state.js';
import type { CoordinatorRecord, CoordinatorState } from '../../src/coordinator/group/types.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { createStorage } from '../../src/storage/index.js';
import { DEFAULT_LOG_CONFIG } from '../../src/storage/engine.js';
import { Harness } from './harness.js';

const exists = (topic: string) => topic !== 'missing';

function commit(state: CoordinatorState, input: Partial<CommitInput>, now = 1000) {
  const full: CommitInput = { groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3, committedMetadata: 'meta' }] }], ...input };
  const out = commitOffsets(state.groups.get(full.groupId), full, now, exists);
  for (const r of out.records) applyRecord(state, r, now, false);
  return out;
}

describe('committed offsets', () => {
  it('a simple consumer (generation -1, no member) commits and fetches; unknown partitions are -1', () => {
    const s = emptyState();
    const out = commit(s, {});
    expect(out.topics[0].partitions[0].errorCode).toBe(0);
    expect(s.groups.get('g')!.state).toBe('Empty');
    expect(fetchOffsets(s.offsets.get('g'), [{ name: 't', partitionIndexes: [0, 1] }])).toEqual([
      { name: 't', partitions: [
        { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 },
        { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
      ] },
    ]);
    expect(fetchOffsets(s.offsets.get('g'), null)[0].partitions).toHaveLength(1);
    expect(fetchOffsets(undefined, null)).toEqual([]);
  });

  it('validates generation and member; unknown topics and oversized metadata are per-partition errors', () => {
    const h = new Harness();
    const { ids, generation } = h.stableGroup(2);
    const s: CoordinatorState = { groups: h.groups, offsets: new Map() };
    const code = (input: Partial<CommitInput>) => commit(s, input).topics[0].partitions[0].errorCode;
    expect(code({ generationId: generation, memberId: ids[0] })).toBe(0);
    expect(code({ generationId: generation + 1, memberId: ids[0] })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(code({ generationId: generation, memberId: 'who' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(code({ generationId: -1, memberId: '' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID); // the group has members
    expect(code({ generationId: generation, memberId: ids[0], topics: [{ name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] })).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(code({ generationId: generation, memberId: ids[0], topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: 'x'.repeat(5000) }] }] })).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
    expect(code({ groupId: 'other', generationId: 5, memberId: 'm' })).toBe(ErrorCode.ILLEGAL_GENERATION);
    // A rebalance in progress still accepts commits of the current generation (revocation commits).
    h.join({});
    expect(code({ generationId: generation, memberId: ids[0] })).toBe(0);
  });

  it('OffsetDelete refuses subscribed topics of an active group; DeleteGroups only deletes empty groups', () => {
    const s = emptyState();
    commit(s, {});
    const del = deleteOffsets(s.groups.get('g'), s.offsets.get('g'), 'g', [{ name: 't', partitions: [0] }]);
    expect(del.records).toHaveLength(1);
    expect(deleteOffsets(undefined, undefined, 'none', []).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(deleteGroup(s, 'none').errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    const dg = deleteGroup(s, 'g');
    expect(dg.errorCode).toBe(0);
    for (const r of dg.records) applyRecord(s, r, 2000, false);
    expect(s.groups.has('g')).toBe(false);
    expect(s.offsets.has('g')).toBe(false);
    const h = new Harness();
    h.stableGroup(1);
    expect(deleteGroup({ groups: h.groups, offsets: new Map() }, 'g').errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
  });

  it('offsets of an empty group expire after offsets.retention; the group goes with them', () => {
    const s = emptyState();
    commit(s, {}, 1000);
    expect(expireOffsets(s.groups, s.offsets, 1000 + 59_999, 60_000)).toEqual([]);
    const recs = expireOffsets(s.groups, s.offsets, 1000 + 60_000, 60_000);
    expect(recs.map((r) => r.type)).toEqual(['offset', 'group']);
    for (const r of recs) applyRecord(s, r, 70_000, false);
    expect(s.groups.size + s.offsets.size).toBe(0);
  });

  it('describes and lists groups with Kafka state names and filters', () => {
    const h = new Harness();
    h.stableGroup(2);
    const d = describeGroup(h.group(), 'g');
    expect(d).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(d.members[0].memberAssignment.length).toBeGreaterThan(0);
    expect(describeGroup(undefined, 'x').groupState).toBe('Dead');
    const s: CoordinatorState = { groups: h.groups, offsets: new Map() };
    expect(listGroups(s, [], [])).toEqual([{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }]);
    expect(listGroups(s, ['empty'], [])).toEqual([]);
    expect(listGroups(s, ['STABLE'], ['Classic'])).toHaveLength(1);
    expect(listGroups(s, [], ['consumer'])).toEqual([]);
  });
});

describe('__consumer_offsets records', () => {
  it('uses Kafka partitioning (abs(String.hashCode) % partitions)', () => {
    // "hello".hashCode() == 99162322 in Java.
    expect(partitionFor('hello', 50)).toBe(99162322 % 50);
    expect(partitionFor('', 50)).toBe(0);
  });

  it('round-trips offset and group records, tombstones included', () => {
    const h = new Harness();
    h.stableGroup(2);
    const recs: CoordinatorRecord[] = [
      { type: 'offset', groupId: 'g', topic: 't', partition: 3, value: { offset: 10, leaderEpoch: 2, metadata: 'm', commitTimestamp: 99 } },
      { type: 'offset', groupId: 'g', topic: 't', partition: 3, value: null },
      { type: 'group', groupId: 'g', value: snapshotOf(h.group()) },
      { type: 'group', groupId: 'g', value: null },
    ];
    for (const r of recs) expect(decodeRecord(encodeKey(r), encodeValue(r))).toEqual(r);
    // Kafka's layout: key version 1, group, topic, partition.
    expect(encodeKey(recs[0]).toString('hex')).toBe('0001' + '0001' + '67' + '0001' + '74' + '00000003');
  });

  it('replays a partition log: offsets, the group snapshot (Stable with its members) and deletions', async () => {
    const storage = createStorage({ kind: 'memory' });
    await storage.open();
    const log = await storage.createPartition('__consumer_offsets', 0, DEFAULT_LOG_CONFIG);
    const h = new Harness();
    const { ids } = h.stableGroup(2);
    const recs: CoordinatorRecord[][] = [
      [{ type: 'offset', groupId: 'g', topic: 't', partition: 0, value: { offset: 5, leaderEpoch: 0, metadata: '', commitTimestamp: 1 } }],
      [{ type: 'offset', groupId: 'g', topic: 't', partition: 1, value: { offset: 7, leaderEpoch: 0, metadata: '', commitTimestamp: 1 } }, { type: 'group', groupId: 'g', value: snapshotOf(h.group()) }],
      [{ type: 'offset', groupId: 'g', topic: 't', partition: 0, value: { offset: 9, leaderEpoch: 1, metadata: 'x', commitTimestamp: 2 } }],
      [{ type: 'offset', groupId: 'gone', topic: 't', partition: 0, value: { offset: 1, leaderEpoch: 0, metadata: '', commitTimestamp: 2 } }],
      [{ type: 'offset', groupId: 'gone', topic: 't', partition: 0, value: null }, { type: 'group', groupId: 'gone', value: null }],
    ];
    for (const batch of recs) await log.append([toBatch(batch, 5)], 0, 'written');
    const s = emptyState();
    const applied = await replayPartition(log, s, 10_000, (e) => { throw e; });
    expect(applied).toBe(7);
    expect(fetchOffsets(s.offsets.get('g'), null)).toEqual([{ name: 't', partitions: [
      { partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: 1, metadata: 'x', errorCode: 0 },
      { partitionIndex: 1, committedOffset: 7, committedLeaderEpoch: 0, metadata: '', errorCode: 0 },
    ] }]);
    const g = s.groups.get('g')!;
    expect(g.state).toBe('Stable');
    expect([...g.members.keys()]).toEqual(ids);
    expect(g.members.get(ids[0])!.sessionDeadline).toBe(10_000 + 10_000);
    expect(s.groups.has('gone')).toBe(false);
    await storage.close();
  });
});
