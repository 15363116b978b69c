/**
 * Heartbeat (key 12), versions 0-4. Keeps a member's session alive; REBALANCE_IN_PROGRESS tells it
 * to rejoin, ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID that it is out of the group.
 */
import { groupsOf } from '../coordinator/group/install.js';
import type { HeartbeatRequest, HeartbeatResponse } from '../protocol/generated/012-heartbeat.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 12;
export const minVersion = 0;
export const maxVersion = 4;

export function handle(ctx: RequestContext, request: HeartbeatRequest, version: number): Init<HeartbeatResponse> {
  const errorCode = groupsOf(ctx.services).heartbeat({
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: version >= 3 ? request.groupInstanceId : null,
  });
  return { throttleTimeMs: 0, errorCode };
}
