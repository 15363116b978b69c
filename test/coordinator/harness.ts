/**
 * A fake-clock driver for the pure group transitions: keeps the groups, hands out waiter ids, collects
 * replies and advances time by running tick() at each due deadline. No sockets, no timers.
 */
import { heartbeat, leaveGroup, tick, type LeaveMember } from '../../src/coordinator/group/heartbeat-leave.js';
import { joinGroup, type JoinInput } from '../../src/coordinator/group/join.js';
import { nextDeadline } from '../../src/coordinator/group/state.js';
import { syncGroup } from '../../src/coordinator/group/sync.js';
import type { CoordinatorRecord, Group, GroupConfig, JoinReply, Outcome, SyncReply } from '../../src/coordinator/group/types.js';

export const CONFIG: GroupConfig = {
  minSessionTimeoutMs: 1000,
  maxSessionTimeoutMs: 60_000,
  initialRebalanceDelayMs: 100,
  maxSize: 100,
  offsetsRetentionMs: 60_000,
};

export function sub(...topics: string[]): Buffer {
  return Buffer.from(topics.join(','));
}

export class Harness {
  now = 1_000_000;
  groups = new Map<string, Group>();
  replies = new Map<number, { kind: 'join' | 'sync'; response: JoinReply | SyncReply }>();
  records: CoordinatorRecord[] = [];
  private nextWaiter = 1;
  private nextId = 1;

  constructor(readonly cfg: GroupConfig = CONFIG) {}

  group(id = 'g'): Group {
    return this.groups.get(id)!;
  }

  private apply<R>(groupId: string, out: Outcome<R>): R {
    if (out.group) this.groups.set(groupId, out.group);
    else this.groups.delete(groupId);
    for (const r of out.replies) this.replies.set(r.waiter, { kind: r.kind, response: r.response });
    this.records.push(...out.records);
    return out.result;
  }

  /** Sends a JoinGroup; returns its waiter id (see joinReply). */
  join(p: Partial<JoinInput> & { memberId?: string }): number {
    const waiter = this.nextWaiter++;
    const input: JoinInput = {
      groupId: 'g',
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: sub('t') }],
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      clientId: 'c',
      clientHost: '/127.0.0.1',
      requireKnownMemberId: false,
      supportsSkipAssignment: false,
      newMemberId: `c-${this.nextId++}`,
      waiter,
      ...p,
    };
    this.apply(input.groupId, joinGroup(this.groups.get(input.groupId), input, this.now, this.cfg));
    return waiter;
  }

  joinReply(waiter: number): JoinReply | undefined {
    return this.replies.get(waiter)?.response as JoinReply | undefined;
  }
  syncReply(waiter: number): SyncReply | undefined {
    return this.replies.get(waiter)?.response as SyncReply | undefined;
  }

  sync(memberId: string, generationId: number, assignments: Array<{ memberId: string; assignment: Buffer }> = [], extra: { groupInstanceId?: string | null; protocolType?: string | null; protocolName?: string | null; groupId?: string } = {}): number {
    const waiter = this.nextWaiter++;
    const groupId = extra.groupId ?? 'g';
    this.apply(groupId, syncGroup(this.groups.get(groupId), { groupId, generationId, memberId, groupInstanceId: extra.groupInstanceId ?? null, protocolType: extra.protocolType ?? null, protocolName: extra.protocolName ?? null, assignments, waiter }, this.now));
    return waiter;
  }

  heartbeat(memberId: string, generationId: number, groupInstanceId: string | null = null, groupId = 'g'): number {
    return this.apply(groupId, heartbeat(this.groups.get(groupId), { groupId, generationId, memberId, groupInstanceId }, this.now));
  }

  leave(members: LeaveMember[], groupId = 'g') {
    return this.apply(groupId, leaveGroup(this.groups.get(groupId), members, this.now, this.cfg));
  }

  /** Moves the clock forward, running tick() at every deadline on the way (as the service's timers would). */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let due: { id: string; at: number } | null = null;
      for (const [id, g] of this.groups) {
        const at = nextDeadline(g);
        if (at !== null && at <= target && (due === null || at < due.at)) due = { id, at };
      }
      if (!due) break;
      this.now = Math.max(this.now, due.at);
      this.apply(due.id, tick(this.groups.get(due.id)!, this.now, this.cfg));
    }
    this.now = target;
  }

  /** Joins `n` dynamic members (v4 flow), completes the initial delay and the leader's sync; returns the member ids. */
  stableGroup(n: number, protocols = [{ name: 'range', metadata: sub('t') }]): { ids: string[]; generation: number } {
    const waiters: number[] = [];
    for (let i = 0; i < n; i++) waiters.push(this.join({ protocols }));
    // Members arriving during the initial delay extend it once more.
    this.advance(this.cfg.initialRebalanceDelayMs * 2);
    const replies = waiters.map((w) => this.joinReply(w)!);
    const leader = replies[0].leader!;
    const ids = replies.map((r) => r.memberId!);
    const generation = replies[0].generationId!;
    const syncs = ids.filter((id) => id !== leader).map((id) => this.sync(id, generation));
    syncs.push(this.sync(leader, generation, ids.map((id) => ({ memberId: id, assignment: Buffer.from(`a-${id}`) }))));
    return { ids, generation };
  }
}
