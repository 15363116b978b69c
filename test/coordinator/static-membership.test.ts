import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Harness, sub } from './harness.js';

/** A Stable group of two static members (instances i1, i2). */
function staticGroup(h: Harness) {
  const a = h.join({ groupInstanceId: 'i1' });
  const b = h.join({ groupInstanceId: 'i2' });
  h.advance(300);
  const [ra, rb] = [h.joinReply(a)!, h.joinReply(b)!];
  expect(ra.errorCode).toBe(0);
  const gen = ra.generationId!;
  h.sync(rb.memberId!, gen);
  h.sync(ra.memberId!, gen, [
    { memberId: ra.memberId!, assignment: Buffer.from('A') },
    { memberId: rb.memberId!, assignment: Buffer.from('B') },
  ]);
  expect(h.group().state).toBe('Stable');
  return { a: ra.memberId!, b: rb.memberId!, gen };
}

describe('static membership (KIP-345)', () => {
  it('a static member joining needs no MEMBER_ID_REQUIRED round', () => {
    const h = new Harness();
    const w = h.join({ groupInstanceId: 'i1', requireKnownMemberId: true });
    h.advance(200);
    expect(h.joinReply(w)!.errorCode).toBe(0);
  });

  it('rejoining within its session keeps the assignment without a rebalance; the old id is fenced', () => {
    const h = new Harness();
    const { a, b, gen } = staticGroup(h);
    // i2 restarts: no LeaveGroup, rejoins with no member id.
    const w = h.join({ groupInstanceId: 'i2', newMemberId: 'b-new' });
    const r = h.joinReply(w)!;
    expect(r).toMatchObject({ errorCode: 0, memberId: 'b-new', generationId: gen, leader: a, members: [] });
    expect(h.group().state).toBe('Stable');
    expect(h.group().generationId).toBe(gen);
    const s = h.sync('b-new', gen, [], { groupInstanceId: 'i2' });
    expect(h.syncReply(s)!.assignment).toEqual(Buffer.from('B'));
    expect(h.heartbeat(b, gen, 'i2')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.heartbeat(a, gen, 'i1')).toBe(0); // the other member saw nothing
    expect(h.records.at(-1)).toMatchObject({ type: 'group' }); // the new member id is recorded
  });

  it('the static leader rejoining gets no member list (it must not reassign), or skipAssignment at v9', () => {
    const h = new Harness();
    const { a, gen } = staticGroup(h);
    const r = h.joinReply(h.join({ groupInstanceId: 'i1', newMemberId: 'a-new' }))!;
    expect(r).toMatchObject({ errorCode: 0, leader: 'a-new', members: [], generationId: gen, skipAssignment: false });
    const r9 = h.joinReply(h.join({ groupInstanceId: 'i1', newMemberId: 'a-9', supportsSkipAssignment: true }))!;
    expect(r9).toMatchObject({ errorCode: 0, leader: 'a-9', skipAssignment: true });
    expect(r9.members).toHaveLength(2);
    expect(h.heartbeat(a, gen, 'i1')).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });

  it('a rejoin that changes the selected protocol rebalances', () => {
    const h = new Harness();
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: sub('t') }));
    const a = h.join({ groupInstanceId: 'i1', protocols: p('range', 'roundrobin') });
    h.join({ groupInstanceId: 'i2', protocols: p('range', 'roundrobin') });
    h.advance(300);
    const gen = h.joinReply(a)!.generationId!;
    h.sync(h.joinReply(a)!.memberId!, gen, []);
    h.join({ groupInstanceId: 'i2', protocols: p('roundrobin') });
    expect(h.group().state).toBe('PreparingRebalance');
  });

  it('a duplicate instance is fenced: the older holder of the id gets FENCED_INSTANCE_ID everywhere', () => {
    const h = new Harness();
    const { b, gen } = staticGroup(h);
    h.join({ groupInstanceId: 'i2', newMemberId: 'dup' });
    expect(h.joinReply(h.join({ memberId: b, groupInstanceId: 'i2' }))!.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.syncReply(h.sync(b, gen, [], { groupInstanceId: 'i2' }))!.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.heartbeat(b, gen, 'i2')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.leave([{ memberId: b, groupInstanceId: 'i2' }]).members[0].errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.heartbeat('dup', gen, 'i2')).toBe(0);
  });

  it('a static member waiting in a join phase is fenced when its replacement arrives', () => {
    const h = new Harness();
    const { a, b } = staticGroup(h);
    const wa = h.join({ memberId: a, groupInstanceId: 'i1' }); // leader rejoin: rebalance
    const wb = h.join({ memberId: b, groupInstanceId: 'i2' });
    expect(h.joinReply(wb)!.errorCode).toBe(0);
    expect(h.joinReply(wa)!.errorCode).toBe(0);
    const s = h.sync(b, h.joinReply(wb)!.generationId!, [], { groupInstanceId: 'i2' });
    h.join({ groupInstanceId: 'i2', newMemberId: 'b2' });
    expect(h.syncReply(s)!.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.group().state).toBe('PreparingRebalance');
  });

  it('a static member leaving by instance id (LeaveGroup v3+) rebalances', () => {
    const h = new Harness();
    staticGroup(h);
    const res = h.leave([{ memberId: '', groupInstanceId: 'i1' }]);
    expect(res.members[0].errorCode).toBe(0);
    expect(h.group().staticMembers.has('i1')).toBe(false);
    expect(h.group().state).toBe('PreparingRebalance');
  });
});
