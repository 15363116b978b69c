/**
 * The classic group coordinator's state and the shapes its pure transitions return.
 *
 * A transition is `(group, input, now, config) → Outcome`: it never mutates its input (the group is
 * copied first, see cloneGroup) and never awaits. Replies address waiting requests by a numeric
 * `waiter` id the service hands out; records are what must be appended to __consumer_offsets.
 */
import type { JoinGroupResponse } from '../../protocol/generated/011-join-group.js';
import type { SyncGroupResponse } from '../../protocol/generated/014-sync-group.js';
import type { Init } from '../../protocol/primitives/index.js';

export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupConfig {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
  maxSize: number;
  offsetsRetentionMs: number;
}

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  assignment: Buffer;
  /** A JoinGroup waiting for the join phase to end. */
  joinWaiter: number | null;
  /** A SyncGroup waiting for the leader's assignment. */
  syncWaiter: number | null;
  /** Expired when no heartbeat (or join/sync) arrives before it, unless a join/sync is waiting. */
  sessionDeadline: number;
  /** Joined during the current rebalance (removed if it never completes a join). */
  isNew: boolean;
}

export interface Group {
  groupId: string;
  state: GroupStateName;
  previousState: GroupStateName;
  /** When the state last changed (offset expiry of an Empty group counts from here). */
  stateTimestamp: number;
  protocolType: string | null;
  protocolName: string | null;
  generationId: number;
  leaderId: string | null;
  members: Map<string, Member>;
  /** KIP-394: ids handed out with MEMBER_ID_REQUIRED, each with its expiry. */
  pendingMembers: Map<string, number>;
  /** group.instance.id → member id. */
  staticMembers: Map<string, string>;
  /** PreparingRebalance: when the join phase ends regardless of who rejoined. */
  joinDeadline: number | null;
  /** Initial rebalance of an Empty group: time left for further delays (group.initial.rebalance.delay.ms). */
  initialDelayRemainingMs: number | null;
  newMemberAdded: boolean;
  /** CompletingRebalance: the leader's SyncGroup must come before this. */
  syncDeadline: number | null;
}

export type JoinReply = Init<JoinGroupResponse>;
export type SyncReply = Init<SyncGroupResponse>;

export type Reply = { waiter: number; kind: 'join'; response: JoinReply } | { waiter: number; kind: 'sync'; response: SyncReply };

/** One change to persist: Kafka's __consumer_offsets key/value schemas (records.ts). */
export type CoordinatorRecord =
  | { type: 'offset'; groupId: string; topic: string; partition: number; value: OffsetEntry | null }
  | { type: 'group'; groupId: string; value: GroupSnapshot | null };

export interface OffsetEntry {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

/** What a GroupMetadata record carries: enough to restore a Stable or Empty group. */
export interface GroupSnapshot {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  stateTimestamp: number;
  members: Array<{
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    rebalanceTimeoutMs: number;
    sessionTimeoutMs: number;
    subscription: Buffer;
    assignment: Buffer;
  }>;
}

/** What a transition returns. `group: null` means the group no longer exists. */
export interface Outcome<R = undefined> {
  group: Group | null;
  replies: Reply[];
  records: CoordinatorRecord[];
  /** The direct answer to the request that caused the transition, when it has one. */
  result: R;
}

/** Committed offsets of one group: topic → partition → entry. */
export type GroupOffsets = Map<string, Map<number, OffsetEntry>>;

/** Everything the coordinator knows; rebuilt at start by replaying __consumer_offsets (persistence.ts). */
export interface CoordinatorState {
  groups: Map<string, Group>;
  offsets: Map<string, GroupOffsets>;
}

export const UNKNOWN_MEMBER_ID = '';
export const NO_GENERATION = -1;
export const EMPTY = Buffer.alloc(0);
