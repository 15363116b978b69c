/**
 * JoinGroup (key 11), versions 0-9, classic rebalance protocol. Decodes, maps versions onto the
 * coordinator's input (v0 has no rebalance timeout: the session timeout is used; v4+ requires a
 * known member id, KIP-394; v5+ static membership; v9 skip_assignment) and waits for the join phase
 * to end. The reason field (v8+) is accepted and ignored. KIP-848 consumer groups are not served.
 */
import { groupsOf } from '../coordinator/group/install.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../protocol/generated/011-join-group.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 11;
export const minVersion = 0;
export const maxVersion = 9;

export async function handle(ctx: RequestContext, request: JoinGroupRequest, version: number): Promise<Init<JoinGroupResponse>> {
  const reply = await groupsOf(ctx.services).join(
    {
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: version >= 5 ? request.groupInstanceId : null,
      protocolType: request.protocolType,
      protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: version >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      clientId: ctx.clientId ?? '',
      clientHost: `/${ctx.connection.remoteAddress}`,
      requireKnownMemberId: version >= 4,
      supportsSkipAssignment: version >= 9,
    },
    ctx.signal,
  );
  return { throttleTimeMs: 0, ...reply };
}
