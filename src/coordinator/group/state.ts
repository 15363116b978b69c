/**
 * Group state helpers shared by every transition: creating and copying groups, protocol agreement
 * and selection, the rebalance phases (prepare, complete join) and member removal. Everything here
 * works on a group copy owned by the running transition (see cloneGroup) and never awaits.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { CoordinatorRecord, Group, GroupSnapshot, GroupStateName, GroupConfig, JoinReply, Member, Protocol, Reply } from './types.js';
import { EMPTY } from './types.js';

export function newGroup(groupId: string, now: number): Group {
  return {
    groupId,
    state: 'Empty',
    previousState: 'Empty',
    stateTimestamp: now,
    protocolType: null,
    protocolName: null,
    generationId: 0,
    leaderId: null,
    members: new Map(),
    pendingMembers: new Map(),
    staticMembers: new Map(),
    joinDeadline: null,
    initialDelayRemainingMs: null,
    newMemberAdded: false,
    syncDeadline: null,
  };
}

/** A copy the transition may change freely: maps and members are new objects, Buffers are shared (never mutated). */
export function cloneGroup(g: Group): Group {
  const members = new Map<string, Member>();
  for (const [id, m] of g.members) members.set(id, { ...m });
  return { ...g, members, pendingMembers: new Map(g.pendingMembers), staticMembers: new Map(g.staticMembers) };
}

/** Mutable scratch a transition fills in; turned into an Outcome at the end. */
export class Effects {
  readonly replies: Reply[] = [];
  readonly records: CoordinatorRecord[] = [];
  join(waiter: number | null, response: JoinReply): void {
    if (waiter !== null) this.replies.push({ waiter, kind: 'join', response });
  }
  syncError(waiter: number | null, errorCode: number): void {
    if (waiter !== null) this.replies.push({ waiter, kind: 'sync', response: { errorCode, assignment: EMPTY, protocolType: null, protocolName: null } });
  }
}

export function setState(g: Group, state: GroupStateName, now: number): void {
  g.previousState = g.state;
  g.state = state;
  g.stateTimestamp = now;
}

export function joinError(memberId: string, errorCode: number): JoinReply {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [] };
}

/** Protocols every member supports (empty group: none). */
function candidateProtocols(g: Group): Set<string> {
  const counts = new Map<string, number>();
  for (const m of g.members.values()) for (const name of new Set(m.protocols.map((p) => p.name))) counts.set(name, (counts.get(name) ?? 0) + 1);
  return new Set([...counts].filter(([, n]) => n === g.members.size).map(([name]) => name));
}

/** Whether a joining member's protocol type and protocols fit the group (INCONSISTENT_GROUP_PROTOCOL if not). */
export function supportsProtocols(g: Group, protocolType: string, protocols: readonly Protocol[], exceptMember?: string): boolean {
  const others = [...g.members.values()].filter((m) => m.memberId !== exceptMember);
  if (others.length === 0) return protocolType.length > 0 && protocols.length > 0;
  if (g.protocolType !== protocolType) return false;
  return protocols.some((p) => others.every((m) => m.protocols.some((q) => q.name === p.name)));
}

/**
 * Each member votes for its most preferred protocol among those every member supports; most votes
 * wins, ties go to the protocol the leader prefers most.
 */
export function selectProtocol(g: Group): string | null {
  const candidates = candidateProtocols(g);
  if (candidates.size === 0) return null;
  const votes = new Map<string, number>();
  for (const m of g.members.values()) {
    const vote = m.protocols.find((p) => candidates.has(p.name))!.name;
    votes.set(vote, (votes.get(vote) ?? 0) + 1);
  }
  const leader = (g.leaderId && g.members.get(g.leaderId)) || g.members.values().next().value!;
  let best: string | null = null;
  let bestVotes = -1;
  for (const p of leader.protocols) {
    const n = votes.get(p.name) ?? 0;
    if (candidates.has(p.name) && n > bestVotes) {
      best = p.name;
      bestVotes = n;
    }
  }
  return best;
}

export function metadataFor(m: Member, protocolName: string | null): Buffer {
  return m.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY;
}

export function sameProtocols(a: readonly Protocol[], b: readonly Protocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}

export function maxRebalanceTimeout(g: Group): number {
  let max = 0;
  for (const m of g.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
  return max;
}

export function hasAllMembersJoined(g: Group): boolean {
  if (g.pendingMembers.size > 0) return false;
  for (const m of g.members.values()) if (m.joinWaiter === null) return false;
  return true;
}

/** The JoinGroup answer of the current generation for `m` (the leader also gets every member's metadata). */
export function currentJoinResponse(g: Group, m: Member, skipAssignment = false): JoinReply {
  const isLeader = g.leaderId === m.memberId;
  return {
    errorCode: ErrorCode.NONE,
    generationId: g.generationId,
    protocolType: g.protocolType,
    protocolName: g.protocolName,
    leader: g.leaderId ?? '',
    skipAssignment,
    memberId: m.memberId,
    members: isLeader
      ? [...g.members.values()].map((x) => ({ memberId: x.memberId, groupInstanceId: x.groupInstanceId, metadata: metadataFor(x, g.protocolName) }))
      : [],
  };
}

/**
 * Removes a member; a waiting JoinGroup/SyncGroup of it gets `errorCode`. The leader passes to
 * another member (one waiting to join if any).
 */
export function removeMember(g: Group, memberId: string, fx: Effects, errorCode: number = ErrorCode.UNKNOWN_MEMBER_ID): void {
  const m = g.members.get(memberId);
  if (!m) return;
  g.members.delete(memberId);
  if (m.groupInstanceId !== null && g.staticMembers.get(m.groupInstanceId) === memberId) g.staticMembers.delete(m.groupInstanceId);
  fx.join(m.joinWaiter, joinError(memberId, errorCode));
  fx.syncError(m.syncWaiter, errorCode);
  if (g.leaderId === memberId) {
    const next = [...g.members.values()].find((x) => x.joinWaiter !== null) ?? g.members.values().next().value;
    g.leaderId = next?.memberId ?? null;
  }
}

/** Starts a join phase: a delayed one for an Empty group (group.initial.rebalance.delay.ms), else bounded by the rebalance timeout. */
export function prepareRebalance(g: Group, now: number, cfg: GroupConfig, fx: Effects): void {
  if (g.state === 'CompletingRebalance') {
    // Assignments of the aborted generation are void; members waiting for them must rejoin.
    for (const m of g.members.values()) {
      fx.syncError(m.syncWaiter, ErrorCode.REBALANCE_IN_PROGRESS);
      m.syncWaiter = null;
      m.assignment = EMPTY;
    }
  }
  const initial = g.state === 'Empty';
  const timeout = maxRebalanceTimeout(g);
  g.syncDeadline = null;
  g.newMemberAdded = false;
  if (initial) {
    const delay = Math.min(cfg.initialRebalanceDelayMs, timeout);
    g.joinDeadline = now + delay;
    g.initialDelayRemainingMs = Math.max(timeout - cfg.initialRebalanceDelayMs, 0);
  } else {
    g.joinDeadline = now + timeout;
    g.initialDelayRemainingMs = null;
  }
  setState(g, 'PreparingRebalance', now);
  if (!initial) maybeCompleteJoin(g, now, fx);
}

/** Ends the join phase early once every member has rejoined (never during the initial delay). */
export function maybeCompleteJoin(g: Group, now: number, fx: Effects): void {
  if (g.state === 'PreparingRebalance' && g.previousState !== 'Empty' && hasAllMembersJoined(g)) completeJoin(g, now, fx);
}

export function maybePrepareRebalanceOrCompleteJoin(g: Group, now: number, cfg: GroupConfig, fx: Effects): void {
  if (g.state === 'Stable' || g.state === 'CompletingRebalance' || g.state === 'Empty') prepareRebalance(g, now, cfg, fx);
  else maybeCompleteJoin(g, now, fx);
}

/**
 * Ends the join phase: members that did not rejoin are removed, the generation advances, a protocol
 * is chosen and every joined member gets its JoinGroup answer (CompletingRebalance), or the group
 * is left Empty.
 */
export function completeJoin(g: Group, now: number, fx: Effects): void {
  for (const m of [...g.members.values()]) if (m.joinWaiter === null) removeMember(g, m.memberId, fx);
  g.pendingMembers.clear();
  g.joinDeadline = null;
  g.initialDelayRemainingMs = null;
  g.newMemberAdded = false;
  g.generationId += 1;
  if (g.members.size === 0) {
    g.protocolName = null;
    g.leaderId = null;
    setState(g, 'Empty', now);
    fx.records.push({ type: 'group', groupId: g.groupId, value: snapshotOf(g) });
    return;
  }
  if (g.leaderId === null || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value!;
  g.protocolName = selectProtocol(g);
  setState(g, 'CompletingRebalance', now);
  g.syncDeadline = now + maxRebalanceTimeout(g);
  for (const m of g.members.values()) {
    fx.join(m.joinWaiter, currentJoinResponse(g, m));
    m.joinWaiter = null;
    m.isNew = false;
    m.sessionDeadline = now + m.sessionTimeoutMs;
  }
}

/** The GroupMetadata record value for the group as it is now. */
export function snapshotOf(g: Group): GroupSnapshot {
  return {
    protocolType: g.protocolType ?? '',
    generationId: g.generationId,
    protocolName: g.protocolName,
    leaderId: g.leaderId,
    stateTimestamp: g.stateTimestamp,
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      subscription: metadataFor(m, g.protocolName),
      assignment: m.assignment,
    })),
  };
}

/** The earliest time a timer must look at the group (tick), or null when nothing is due. */
export function nextDeadline(g: Group): number | null {
  let t = Infinity;
  if (g.joinDeadline !== null) t = Math.min(t, g.joinDeadline);
  if (g.syncDeadline !== null) t = Math.min(t, g.syncDeadline);
  for (const d of g.pendingMembers.values()) t = Math.min(t, d);
  for (const m of g.members.values()) if (m.joinWaiter === null && m.syncWaiter === null) t = Math.min(t, m.sessionDeadline);
  return t === Infinity ? null : t;
}
