/**
 * Persistence: coordinator records ⇄ record batches of __consumer_offsets, and the reducer that
 * rebuilds the state from them. At start every partition is read from its log start and each
 * record applied in order (replay); while running, offset records and group tombstones are applied
 * the same way once their append is durable. Group snapshots are only applied at replay (while
 * running, the group in memory is already ahead of its last snapshot).
 */
import { BASE_OFFSET, BATCH_LENGTH, buildRecordBatch, iterateRecords, LAST_OFFSET_DELTA, LOG_OVERHEAD } from '../../protocol/records/index.js';
import type { AppendBatch, PartitionLog } from '../../storage/engine.js';
import { newGroup } from './state.js';
import { decodeRecord, encodeKey, encodeValue } from './records.js';
import type { CoordinatorRecord, CoordinatorState, Group, GroupSnapshot, Member } from './types.js';

export function emptyState(): CoordinatorState {
  return { groups: new Map(), offsets: new Map() };
}

/** One uncompressed v2 batch holding the records, ready for PartitionLog.append. */
export function toBatch(records: readonly CoordinatorRecord[], now: number): AppendBatch {
  const buf = buildRecordBatch({ records: records.map((r) => ({ key: encodeKey(r), value: encodeValue(r), timestamp: now })) });
  return { buf, offsetCount: records.length, maxTimestamp: now };
}

/** Restores a group from its snapshot: Stable with its members (sessions restart now), or Empty. */
function restoreGroup(groupId: string, s: GroupSnapshot, now: number): Group {
  const g = newGroup(groupId, s.stateTimestamp >= 0 ? s.stateTimestamp : now);
  g.protocolType = s.protocolType === '' ? null : s.protocolType;
  g.generationId = s.generationId;
  g.protocolName = s.protocolName;
  g.leaderId = s.leaderId;
  if (s.members.length === 0) return g;
  g.state = 'Stable';
  g.previousState = 'CompletingRebalance';
  for (const x of s.members) {
    const m: Member = {
      memberId: x.memberId,
      groupInstanceId: x.groupInstanceId,
      clientId: x.clientId,
      clientHost: x.clientHost,
      sessionTimeoutMs: x.sessionTimeoutMs,
      rebalanceTimeoutMs: x.rebalanceTimeoutMs,
      protocolType: s.protocolType,
      protocols: [{ name: s.protocolName ?? '', metadata: x.subscription }],
      assignment: x.assignment,
      joinWaiter: null,
      syncWaiter: null,
      sessionDeadline: now + x.sessionTimeoutMs,
      isNew: false,
    };
    g.members.set(m.memberId, m);
    if (m.groupInstanceId !== null) g.staticMembers.set(m.groupInstanceId, m.memberId);
  }
  return g;
}

/**
 * Applies one record to the state (in place: this is the fold replay runs). `replaying` also
 * restores group snapshots. A group tombstone never removes a group that has members again.
 */
export function applyRecord(state: CoordinatorState, rec: CoordinatorRecord, now: number, replaying: boolean): void {
  if (rec.type === 'offset') {
    let group = state.offsets.get(rec.groupId);
    if (rec.value === null) {
      const parts = group?.get(rec.topic);
      parts?.delete(rec.partition);
      if (parts && parts.size === 0) group!.delete(rec.topic);
      if (group && group.size === 0) state.offsets.delete(rec.groupId);
      return;
    }
    if (!group) state.offsets.set(rec.groupId, (group = new Map()));
    let parts = group.get(rec.topic);
    if (!parts) group.set(rec.topic, (parts = new Map()));
    parts.set(rec.partition, rec.value);
    if (!state.groups.has(rec.groupId)) state.groups.set(rec.groupId, newGroup(rec.groupId, rec.value.commitTimestamp));
    return;
  }
  if (rec.value !== null) {
    if (replaying) state.groups.set(rec.groupId, restoreGroup(rec.groupId, rec.value, now));
    return;
  }
  const g = state.groups.get(rec.groupId);
  if (g && g.members.size > 0 && !replaying) return;
  state.groups.delete(rec.groupId);
  if (state.offsets.has(rec.groupId)) state.groups.set(rec.groupId, newGroup(rec.groupId, now));
}

/** Replays one __consumer_offsets partition into the state; returns how many records were applied. */
export async function replayPartition(log: PartitionLog, state: CoordinatorState, now: number, onBadRecord: (err: unknown) => void): Promise<number> {
  let offset = log.logStartOffset();
  const end = log.logEndOffset();
  let applied = 0;
  while (offset < end) {
    const { chunks } = await log.read(offset, 1 << 20, true);
    if (chunks.length === 0) break;
    const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    let pos = 0;
    let next = offset;
    while (pos + LOG_OVERHEAD <= data.length) {
      const size = LOG_OVERHEAD + data.readInt32BE(pos + BATCH_LENGTH);
      if (size <= LOG_OVERHEAD || size > data.length - pos) break;
      const lastOffset = Number(data.readBigInt64BE(pos + BASE_OFFSET)) + data.readInt32BE(pos + LAST_OFFSET_DELTA);
      try {
        for (const r of iterateRecords(data, pos)) {
          if (Number(r.offset) < offset || r.key === null) continue;
          const rec = decodeRecord(r.key, r.value);
          if (rec) {
            applyRecord(state, rec, now, true);
            applied++;
          }
        }
      } catch (err) {
        onBadRecord(err);
      }
      next = lastOffset + 1;
      pos += size;
    }
    if (next <= offset) break;
    offset = next;
  }
  return applied;
}
