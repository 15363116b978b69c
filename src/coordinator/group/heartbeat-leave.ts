/**
 * Heartbeat, LeaveGroup and the timer transition (tick) as pure functions. A heartbeat keeps a
 * member's session alive and tells it about a rebalance (REBALANCE_IN_PROGRESS); leaving or going
 * silent removes the member and rebalances the rest. tick() applies every deadline that has passed:
 * session expiry, expiry of MEMBER_ID_REQUIRED ids, the end of the join phase (initial delay or
 * rebalance timeout) and a leader that never sent its SyncGroup.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { staticCheck } from './join.js';
import {
  cloneGroup, completeJoin, Effects, maybeCompleteJoin, maybePrepareRebalanceOrCompleteJoin, prepareRebalance, removeMember,
} from './state.js';
import type { Group, GroupConfig, Outcome } from './types.js';
import { UNKNOWN_MEMBER_ID } from './types.js';

export interface HeartbeatInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export function heartbeat(current: Group | undefined, input: HeartbeatInput, now: number): Outcome<number> {
  const answer = (group: Group | null | undefined, code: number): Outcome<number> => ({ group: group ?? null, replies: [], records: [], result: code });
  if (!current) return answer(current, ErrorCode.UNKNOWN_MEMBER_ID);
  if (current.state === 'Dead') return answer(current, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const fenced = staticCheck(current, input.memberId, input.groupInstanceId);
  if (fenced !== ErrorCode.NONE) return answer(current, fenced);
  if (input.generationId !== current.generationId) return answer(current, ErrorCode.ILLEGAL_GENERATION);
  if (current.state === 'Empty') return answer(current, ErrorCode.UNKNOWN_MEMBER_ID);
  const g = cloneGroup(current);
  const m = g.members.get(input.memberId)!;
  m.sessionDeadline = now + m.sessionTimeoutMs;
  return answer(g, g.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE);
}

export interface LeaveMember {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveResult {
  errorCode: number;
  members: Array<LeaveMember & { errorCode: number }>;
}

export function leaveGroup(current: Group | undefined, leaving: LeaveMember[], now: number, cfg: GroupConfig): Outcome<LeaveResult> {
  const answer = (code: number): Outcome<LeaveResult> => ({ group: current ?? null, replies: [], records: [], result: { errorCode: code, members: [] } });
  if (!current) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
  if (current.state === 'Dead') return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const g = cloneGroup(current);
  const fx = new Effects();
  const members: LeaveResult['members'] = [];
  let removed = false;
  for (const l of leaving) {
    let code: number = ErrorCode.NONE;
    if (l.groupInstanceId !== null) {
      const owner = g.staticMembers.get(l.groupInstanceId);
      if (owner === undefined) code = ErrorCode.UNKNOWN_MEMBER_ID;
      else if (l.memberId !== UNKNOWN_MEMBER_ID && l.memberId !== owner) code = ErrorCode.FENCED_INSTANCE_ID;
      else removeMember(g, owner, fx);
    } else if (g.pendingMembers.delete(l.memberId)) {
      // A MEMBER_ID_REQUIRED id that never joined.
    } else if (!g.members.has(l.memberId)) code = ErrorCode.UNKNOWN_MEMBER_ID;
    else removeMember(g, l.memberId, fx);
    if (code === ErrorCode.NONE) removed = true;
    members.push({ ...l, errorCode: code });
  }
  if (removed) maybePrepareRebalanceOrCompleteJoinAfterRemoval(g, now, cfg, fx);
  return { group: g, replies: fx.replies, records: fx.records, result: { errorCode: ErrorCode.NONE, members } };
}

function maybePrepareRebalanceOrCompleteJoinAfterRemoval(g: Group, now: number, cfg: GroupConfig, fx: Effects): void {
  if (g.state === 'Empty') return;
  maybePrepareRebalanceOrCompleteJoin(g, now, cfg, fx);
}

/** Applies every deadline at or before `now`. */
export function tick(current: Group, now: number, cfg: GroupConfig): Outcome {
  const g = cloneGroup(current);
  const fx = new Effects();
  let removed = false;
  for (const [id, deadline] of [...g.pendingMembers]) {
    if (deadline <= now) {
      g.pendingMembers.delete(id);
      removed = true;
    }
  }
  for (const m of [...g.members.values()]) {
    if (m.joinWaiter === null && m.syncWaiter === null && m.sessionDeadline <= now) {
      removeMember(g, m.memberId, fx);
      removed = true;
    }
  }
  if (removed) maybePrepareRebalanceOrCompleteJoinAfterRemoval(g, now, cfg, fx);

  if (g.state === 'PreparingRebalance' && g.joinDeadline !== null && g.joinDeadline <= now) {
    const remaining = g.initialDelayRemainingMs;
    if (remaining !== null && g.newMemberAdded && remaining > 0) {
      // Initial rebalance: members are still arriving, wait another delay (bounded by the rebalance timeout).
      const delay = Math.min(cfg.initialRebalanceDelayMs, remaining);
      g.newMemberAdded = false;
      g.joinDeadline = now + delay;
      g.initialDelayRemainingMs = Math.max(remaining - delay, 0);
    } else completeJoin(g, now, fx);
  }
  if (g.state === 'CompletingRebalance' && g.syncDeadline !== null && g.syncDeadline <= now) {
    // The leader never sent the assignment: drop whoever has not synced and start over.
    for (const m of [...g.members.values()]) if (m.syncWaiter === null) removeMember(g, m.memberId, fx);
    if (g.members.size > 0) prepareRebalance(g, now, cfg, fx);
    else completeJoin(g, now, fx);
  }
  maybeCompleteJoin(g, now, fx);
  return { group: g, replies: fx.replies, records: fx.records, result: undefined };
}
