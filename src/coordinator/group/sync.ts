/**
 * SyncGroup as a pure transition. The leader's SyncGroup carries every member's assignment: it makes
 * the group Stable, answers every member waiting and records the group (GroupMetadata). Followers
 * arriving before the leader wait (their waiter id stays on the member); once Stable a SyncGroup is
 * answered at once with the member's assignment.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { cloneGroup, Effects, setState, snapshotOf } from './state.js';
import { staticCheck } from './join.js';
import type { Group, Outcome, SyncReply } from './types.js';
import { EMPTY } from './types.js';

export interface SyncInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v5+: checked against the group's when given. */
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
  waiter: number;
}

function syncOk(g: Group, assignment: Buffer): SyncReply {
  return { errorCode: ErrorCode.NONE, protocolType: g.protocolType, protocolName: g.protocolName, assignment };
}

export function syncGroup(current: Group | undefined, input: SyncInput, now: number): Outcome {
  const fx = new Effects();
  const fail = (code: number): Outcome => {
    fx.syncError(input.waiter, code);
    return { group: current ?? null, replies: fx.replies, records: [], result: undefined };
  };
  if (!current) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
  if (current.state === 'Dead') return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const fenced = staticCheck(current, input.memberId, input.groupInstanceId);
  if (fenced !== ErrorCode.NONE) return fail(fenced);
  if (input.generationId !== current.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
  if ((input.protocolType !== null && input.protocolType !== current.protocolType) || (input.protocolName !== null && input.protocolName !== current.protocolName)) {
    return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  if (current.state === 'Empty') return fail(ErrorCode.UNKNOWN_MEMBER_ID);
  if (current.state === 'PreparingRebalance') return fail(ErrorCode.REBALANCE_IN_PROGRESS);

  const g = cloneGroup(current);
  const m = g.members.get(input.memberId)!;
  m.sessionDeadline = now + m.sessionTimeoutMs;
  if (g.state === 'Stable') {
    fx.replies.push({ waiter: input.waiter, kind: 'sync', response: syncOk(g, m.assignment) });
    return { group: g, replies: fx.replies, records: [], result: undefined };
  }
  // CompletingRebalance
  fx.syncError(m.syncWaiter, ErrorCode.REBALANCE_IN_PROGRESS); // a retried SyncGroup replaces the first
  m.syncWaiter = input.waiter;
  if (g.leaderId === m.memberId) {
    const given = new Map(input.assignments.map((a) => [a.memberId, a.assignment]));
    setState(g, 'Stable', now);
    g.syncDeadline = null;
    for (const x of g.members.values()) {
      x.assignment = given.get(x.memberId) ?? EMPTY;
      if (x.syncWaiter !== null) fx.replies.push({ waiter: x.syncWaiter, kind: 'sync', response: syncOk(g, x.assignment) });
      x.syncWaiter = null;
      x.sessionDeadline = now + x.sessionTimeoutMs;
    }
    fx.records.push({ type: 'group', groupId: g.groupId, value: snapshotOf(g) });
  }
  return { group: g, replies: fx.replies, records: fx.records, result: undefined };
}
