/**
 * Committed offsets as pure functions. A commit is validated against the group (generation, member,
 * static instance) and turns into OffsetCommit records; the state changes only when those records
 * are replayed after the append is durable (persistence.ts applyRecord), exactly as at start.
 * Simple consumers (generation -1, no member id) commit to a group with no members.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { ConsumerProtocolSubscriptionCodec } from '../../protocol/generated/data-consumer-protocol-subscription.js';
import { Reader } from '../../protocol/primitives/index.js';
import { staticCheck } from './join.js';
import type { CoordinatorRecord, Group, GroupOffsets, OffsetEntry } from './types.js';

/** Kafka's offset.metadata.max.bytes default. */
export const OFFSET_METADATA_MAX_BYTES = 4096;
export const NO_OFFSET = -1;

export interface CommitInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }> }>;
}

export interface PartitionResult {
  partitionIndex: number;
  errorCode: number;
}
export interface TopicResult {
  name: string;
  partitions: PartitionResult[];
}

/** NONE when the commit may go ahead, else the error for every partition. */
export function validateCommit(g: Group | undefined, input: CommitInput): number {
  if (input.groupId === '') return ErrorCode.INVALID_GROUP_ID;
  if (!g) return input.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
  if (g.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (input.generationId < 0 && g.state === 'Empty') return ErrorCode.NONE; // simple consumer or admin
  if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
  const member = staticCheck(g, input.memberId, input.groupInstanceId);
  if (member !== ErrorCode.NONE) return member;
  if (input.generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
  return ErrorCode.NONE;
}

/**
 * The records for a commit and each partition's error. `partitionExists` says whether a topic
 * partition exists (unknown ones get UNKNOWN_TOPIC_OR_PARTITION and nothing is written for them).
 */
export function commitOffsets(
  g: Group | undefined,
  input: CommitInput,
  now: number,
  partitionExists: (topic: string, partition: number) => boolean,
): { topics: TopicResult[]; records: CoordinatorRecord[] } {
  const code = validateCommit(g, input);
  const records: CoordinatorRecord[] = [];
  const topics = input.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      let errorCode: number = code;
      if (errorCode === ErrorCode.NONE) {
        if (p.committedMetadata !== null && Buffer.byteLength(p.committedMetadata) > OFFSET_METADATA_MAX_BYTES) errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        else if (!partitionExists(t.name, p.partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      }
      if (errorCode === ErrorCode.NONE) {
        const value: OffsetEntry = { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '', commitTimestamp: now };
        records.push({ type: 'offset', groupId: input.groupId, topic: t.name, partition: p.partitionIndex, value });
      }
      return { partitionIndex: p.partitionIndex, errorCode };
    }),
  }));
  return { topics, records };
}

export interface FetchedPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

/** Committed offsets of the requested partitions (-1 when none), or of every partition when `topics` is null. */
export function fetchOffsets(offsets: GroupOffsets | undefined, topics: Array<{ name: string; partitionIndexes: number[] }> | null): Array<{ name: string; partitions: FetchedPartition[] }> {
  const view = (partitionIndex: number, e: OffsetEntry | undefined): FetchedPartition =>
    e
      ? { partitionIndex, committedOffset: e.offset, committedLeaderEpoch: e.leaderEpoch, metadata: e.metadata, errorCode: ErrorCode.NONE }
      : { partitionIndex, committedOffset: NO_OFFSET, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
  if (topics === null) {
    return [...(offsets ?? new Map()).entries()].map(([name, parts]) => ({
      name,
      partitions: [...parts.entries()].sort((a, b) => a[0] - b[0]).map(([p, e]) => view(p, e)),
    }));
  }
  return topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => view(p, offsets?.get(t.name)?.get(p))) }));
}

/** Topics the group's consumers subscribe to (consumer protocol only; unreadable metadata is skipped). */
export function subscribedTopics(g: Group): Set<string> {
  const topics = new Set<string>();
  if (g.protocolType !== 'consumer') return topics;
  for (const m of g.members.values()) {
    for (const p of m.protocols) {
      if (p.name !== g.protocolName && g.protocolName !== null) continue;
      try {
        const r = new Reader(p.metadata);
        const version = Math.min(r.int16(), ConsumerProtocolSubscriptionCodec.maxVersion);
        const sub = ConsumerProtocolSubscriptionCodec.decode(r, Math.max(version, 0));
        for (const t of sub.topics) topics.add(t);
      } catch {
        // Not a consumer-protocol subscription we can read: it protects nothing.
      }
    }
  }
  return topics;
}

/** OffsetDelete: tombstones for the partitions; partitions of topics the group is consuming are refused. */
export function deleteOffsets(
  g: Group | undefined,
  offsets: GroupOffsets | undefined,
  groupId: string,
  topics: Array<{ name: string; partitions: number[] }>,
): { errorCode: number; topics: TopicResult[]; records: CoordinatorRecord[] } {
  if (!g && !offsets) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [], records: [] };
  if (g && g.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [], records: [] };
  const subscribed = g && g.state !== 'Empty' ? subscribedTopics(g) : new Set<string>();
  const records: CoordinatorRecord[] = [];
  const results = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      if (subscribed.has(t.name)) return { partitionIndex: p, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
      if (offsets?.get(t.name)?.has(p)) records.push({ type: 'offset', groupId, topic: t.name, partition: p, value: null });
      return { partitionIndex: p, errorCode: ErrorCode.NONE };
    }),
  }));
  return { errorCode: ErrorCode.NONE, topics: results, records };
}

/** Tombstones for every offset of a group and the group itself (DeleteGroups, retention). */
export function groupTombstones(groupId: string, offsets: GroupOffsets | undefined): CoordinatorRecord[] {
  const records: CoordinatorRecord[] = [];
  for (const [topic, parts] of offsets ?? []) for (const p of parts.keys()) records.push({ type: 'offset', groupId, topic, partition: p, value: null });
  records.push({ type: 'group', groupId, value: null });
  return records;
}

/**
 * offsets.retention.minutes: offsets of a group with no members expire `retentionMs` after the group
 * became empty (or, for a group that never had members, after the commit); a group left with no
 * offsets and no members is deleted. Groups with members keep their offsets.
 */
export function expireOffsets(groups: ReadonlyMap<string, Group>, all: ReadonlyMap<string, GroupOffsets>, now: number, retentionMs: number): CoordinatorRecord[] {
  const records: CoordinatorRecord[] = [];
  const ids = new Set([...groups.keys(), ...all.keys()]);
  for (const groupId of ids) {
    const g = groups.get(groupId);
    if (g && g.state !== 'Empty') continue;
    const offsets = all.get(groupId);
    const useStateTime = g !== undefined && g.protocolType !== null && g.protocolType !== '';
    let kept = 0;
    for (const [topic, parts] of offsets ?? []) {
      for (const [p, e] of parts) {
        const base = useStateTime ? g!.stateTimestamp : e.commitTimestamp;
        if (base + retentionMs <= now) records.push({ type: 'offset', groupId, topic, partition: p, value: null });
        else kept++;
      }
    }
    if (kept === 0 && (!g || g.members.size === 0)) records.push({ type: 'group', groupId, value: null });
  }
  return records;
}
