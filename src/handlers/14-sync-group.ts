/**
 * SyncGroup (key 14), versions 0-5. The leader's request carries every member's assignment; other
 * members wait until it arrives (or get their assignment at once when the group is Stable).
 * protocol_type/protocol_name (v5) are checked against the group's (INCONSISTENT_GROUP_PROTOCOL).
 */
import { groupsOf } from '../coordinator/group/install.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../protocol/generated/014-sync-group.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 14;
export const minVersion = 0;
export const maxVersion = 5;

export async function handle(ctx: RequestContext, request: SyncGroupRequest, version: number): Promise<Init<SyncGroupResponse>> {
  const reply = await groupsOf(ctx.services).sync(
    {
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: version >= 3 ? request.groupInstanceId : null,
      protocolType: version >= 5 ? request.protocolType : null,
      protocolName: version >= 5 ? request.protocolName : null,
      // Copies: the request buffer is not ours to keep.
      assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: Buffer.from(a.assignment) })),
    },
    ctx.signal,
  );
  return { throttleTimeMs: 0, ...reply };
}
