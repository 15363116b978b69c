import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { CONFIG, Harness, sub } from './harness.js';

describe('join phase', () => {
  it('MEMBER_ID_REQUIRED: a first v4+ join gets an id, the rejoin with it joins', () => {
    const h = new Harness();
    const w1 = h.join({ requireKnownMemberId: true, newMemberId: 'c-abc' });
    expect(h.joinReply(w1)).toMatchObject({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId: 'c-abc' });
    expect(h.group().members.size).toBe(0);
    expect(h.group().pendingMembers.has('c-abc')).toBe(true);
    const w2 = h.join({ memberId: 'c-abc', requireKnownMemberId: true });
    expect(h.joinReply(w2)).toBeUndefined(); // waits for the initial delay
    h.advance(CONFIG.initialRebalanceDelayMs);
    expect(h.joinReply(w2)).toMatchObject({ errorCode: 0, memberId: 'c-abc', leader: 'c-abc', generationId: 1, protocolName: 'range' });
    expect(h.joinReply(w2)!.members).toHaveLength(1);
    expect(h.group().state).toBe('CompletingRebalance');
  });

  it('an id handed out with MEMBER_ID_REQUIRED expires after the session timeout', () => {
    const h = new Harness();
    h.join({ requireKnownMemberId: true, newMemberId: 'x' });
    h.advance(10_000);
    expect(h.group().pendingMembers.size).toBe(0);
    const w = h.join({ memberId: 'x' });
    expect(h.joinReply(w)!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('an unknown member id in an unknown group is UNKNOWN_MEMBER_ID; bad session timeout INVALID_SESSION_TIMEOUT', () => {
    const h = new Harness();
    expect(h.joinReply(h.join({ memberId: 'nope' }))!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.joinReply(h.join({ sessionTimeoutMs: 10 }))!.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(h.joinReply(h.join({ groupId: '' }))!.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('the initial delay is extended while members keep arriving, bounded by the rebalance timeout', () => {
    const h = new Harness();
    const a = h.join({});
    h.advance(60);
    const b = h.join({});
    h.advance(60); // first delay over, but b arrived: wait again
    expect(h.joinReply(a)).toBeUndefined();
    h.advance(100);
    expect(h.joinReply(a)!.generationId).toBe(1);
    expect(h.joinReply(b)!.generationId).toBe(1);
    expect(h.joinReply(a)!.members).toHaveLength(2); // the leader sees both
    expect(h.joinReply(b)!.members).toHaveLength(0);
  });

  it('selects the protocol by votes among those every member supports', () => {
    const h = new Harness();
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: sub('t') }));
    const w = [h.join({ protocols: p('range', 'roundrobin') }), h.join({ protocols: p('roundrobin', 'range', 'sticky') }), h.join({ protocols: p('sticky', 'roundrobin', 'range') })];
    h.advance(250);
    // sticky is not supported by the first member; range gets 1 vote, roundrobin 2.
    expect(w.map((x) => h.joinReply(x)!.protocolName)).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
    const h2 = new Harness();
    const w2 = [h2.join({ protocols: p('range', 'roundrobin') }), h2.join({ protocols: p('roundrobin', 'range') })];
    h2.advance(250);
    // A tie: the leader's preference decides.
    expect(w2.map((x) => h2.joinReply(x)!.protocolName)).toEqual(['range', 'range']);
  });

  it('refuses a member with another protocol type or no common protocol (INCONSISTENT_GROUP_PROTOCOL)', () => {
    const h = new Harness();
    h.join({ protocols: [{ name: 'range', metadata: sub('t') }] });
    expect(h.joinReply(h.join({ protocolType: 'connect' }))!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(h.joinReply(h.join({ protocols: [{ name: 'cooperative-sticky', metadata: sub('t') }] }))!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('SyncGroup: followers wait for the leader, then everyone gets its own assignment', () => {
    const h = new Harness();
    const [a, b] = [h.join({}), h.join({})];
    h.advance(250);
    const leader = h.joinReply(a)!.memberId!;
    const follower = h.joinReply(b)!.memberId!;
    const fs = h.sync(follower, 1);
    expect(h.syncReply(fs)).toBeUndefined();
    const ls = h.sync(leader, 1, [{ memberId: leader, assignment: Buffer.from('L') }, { memberId: follower, assignment: Buffer.from('F') }]);
    expect(h.syncReply(ls)!.assignment).toEqual(Buffer.from('L'));
    expect(h.syncReply(fs)!.assignment).toEqual(Buffer.from('F'));
    expect(h.group().state).toBe('Stable');
    expect(h.records.at(-1)).toMatchObject({ type: 'group', groupId: 'g' });
    // v5 checks
    expect(h.syncReply(h.sync(follower, 1, [], { protocolType: 'connect' }))!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(h.syncReply(h.sync(follower, 1, [], { protocolType: 'consumer', protocolName: 'range' }))!.errorCode).toBe(0);
  });

  it('illegal generation on heartbeat and sync; REBALANCE_IN_PROGRESS on heartbeat during a rebalance', () => {
    const h = new Harness();
    const { ids, generation } = h.stableGroup(2);
    expect(h.heartbeat(ids[0], generation)).toBe(0);
    expect(h.heartbeat(ids[0], generation + 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(h.syncReply(h.sync(ids[0], generation - 1))!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(h.heartbeat('stranger', generation)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    h.join({});
    expect(h.group().state).toBe('PreparingRebalance');
    expect(h.heartbeat(ids[0], generation)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(h.syncReply(h.sync(ids[0], generation))!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });
});

describe('membership changes', () => {
  it('session expiry removes a silent member and rebalances the rest', () => {
    const h = new Harness();
    const { ids, generation } = h.stableGroup(2);
    for (let t = 0; t < 3; t++) {
      h.advance(3000);
      expect(h.heartbeat(ids[0], generation)).toBe(0);
    }
    expect(h.group().members.has(ids[1])).toBe(true);
    h.advance(1001);
    expect(h.group().members.has(ids[1])).toBe(false);
    expect(h.group().state).toBe('PreparingRebalance');
    expect(h.heartbeat(ids[0], generation)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const w = h.join({ memberId: ids[0] });
    // Everyone left has rejoined: the phase ends at once.
    expect(h.joinReply(w)).toMatchObject({ errorCode: 0, generationId: generation + 1, leader: ids[0] });
    expect(h.heartbeat(ids[1], generation)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('rebalance timeout: members that do not rejoin are removed when the join phase ends', () => {
    const h = new Harness();
    const { ids, generation } = h.stableGroup(2);
    const c = h.join({});
    const a = h.join({ memberId: ids[0] });
    expect(h.joinReply(a)).toBeUndefined();
    // ids[1] keeps heartbeating (sees REBALANCE_IN_PROGRESS) but never rejoins.
    for (let t = 0; t < 10; t++) {
      h.advance(2900);
      if (h.group().state === 'PreparingRebalance') expect(h.heartbeat(ids[1], generation)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    h.advance(1000);
    expect(h.joinReply(a)).toMatchObject({ errorCode: 0, generationId: generation + 1 });
    expect(h.joinReply(c)).toMatchObject({ errorCode: 0, generationId: generation + 1 });
    expect([...h.group().members.keys()].sort()).toEqual([ids[0], h.joinReply(c)!.memberId].sort());
    expect(h.heartbeat(ids[1], generation + 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a member joining mid-rebalance is part of the next generation; joining during CompletingRebalance restarts it', () => {
    const h = new Harness();
    const { ids, generation } = h.stableGroup(2);
    h.join({ memberId: ids[0] }); // leader rejoins (e.g. subscription change): rebalance starts
    const late = h.join({}); // new member while PreparingRebalance
    const b = h.join({ memberId: ids[1] });
    expect(h.joinReply(b)).toMatchObject({ errorCode: 0, generationId: generation + 1 });
    expect(h.joinReply(late)!.generationId).toBe(generation + 1);
    expect(h.group().members.size).toBe(3);
    expect(h.group().state).toBe('CompletingRebalance');
    const waitingSync = h.sync(ids[1], generation + 1);
    const another = h.join({});
    expect(h.group().state).toBe('PreparingRebalance');
    expect(h.syncReply(waitingSync)!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    for (const id of h.group().members.keys()) if (h.group().members.get(id)!.joinWaiter === null) h.join({ memberId: id });
    expect(h.joinReply(another)!.generationId).toBe(generation + 2);
  });

  it('cooperative rebalance: members rejoin after revoking, a second rebalance settles', () => {
    const h = new Harness();
    const coop = [{ name: 'cooperative-sticky', metadata: sub('t') }];
    const { ids, generation } = h.stableGroup(2, coop);
    const c = h.join({ protocols: coop });
    const r = ids.map((id) => h.join({ memberId: id, protocols: coop }));
    expect(h.joinReply(r[0])!.generationId).toBe(generation + 1);
    const all = [...ids, h.joinReply(c)!.memberId!];
    const leader = h.joinReply(r[0])!.leader!;
    all.filter((x) => x !== leader).forEach((x) => h.sync(x, generation + 1));
    h.sync(leader, generation + 1, all.map((x) => ({ memberId: x, assignment: Buffer.from('partial') })));
    expect(h.group().state).toBe('Stable');
    // The members that revoked partitions rejoin at once (cooperative second round).
    const again = all.map((x) => h.join({ memberId: x, protocols: coop }));
    expect(again.map((w) => h.joinReply(w)!.generationId)).toEqual([generation + 2, generation + 2, generation + 2]);
  });

  it('LeaveGroup (batched) rebalances; the last member leaving empties the group', () => {
    const h = new Harness();
    const { ids, generation } = h.stableGroup(3);
    const res = h.leave([{ memberId: ids[2], groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }]);
    expect(res.members.map((m) => m.errorCode)).toEqual([0, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(h.group().state).toBe('PreparingRebalance');
    h.leave([{ memberId: ids[0], groupInstanceId: null }, { memberId: ids[1], groupInstanceId: null }]);
    expect(h.group().state).toBe('Empty');
    expect(h.group().generationId).toBe(generation + 1);
    expect(h.leave([{ memberId: 'x', groupInstanceId: null }], 'nogroup').errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a leader that never sends SyncGroup: its silent session ends the generation', () => {
    const h = new Harness();
    const [a, b] = [h.join({}), h.join({})];
    h.advance(250);
    const follower = h.joinReply(b)!.memberId!;
    const fs = h.sync(follower, 1);
    h.advance(10_000);
    expect(h.group().members.has(h.joinReply(a)!.memberId!)).toBe(false);
    expect(h.syncReply(fs)!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });
});
