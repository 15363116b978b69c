/**
 * LeaveGroup (key 13), versions 0-5. v0-2: one member id, its error is the top-level error.
 * v3+: a batch of members, each by member id or group.instance.id (KIP-345), each with its own
 * error; the top-level error is for the group. The reason (v5) is accepted and ignored.
 */
import { groupsOf } from '../coordinator/group/install.js';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../protocol/generated/013-leave-group.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 13;
export const minVersion = 0;
export const maxVersion = 5;

export function handle(ctx: RequestContext, request: LeaveGroupRequest, version: number): Init<LeaveGroupResponse> {
  const batched = version >= 3;
  const members = batched
    ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
    : [{ memberId: request.memberId, groupInstanceId: null }];
  const res = groupsOf(ctx.services).leave(request.groupId, members);
  if (batched) return { throttleTimeMs: 0, errorCode: res.errorCode, members: res.members };
  return { throttleTimeMs: 0, errorCode: res.errorCode !== 0 ? res.errorCode : (res.members[0]?.errorCode ?? 0) };
}
