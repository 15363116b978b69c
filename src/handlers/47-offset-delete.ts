/**
 * OffsetDelete (key 47), version 0. Deletes committed offsets of a group; partitions of topics the
 * group's members are subscribed to (consumer protocol) are refused with GROUP_SUBSCRIBED_TO_TOPIC.
 * GROUP_ID_NOT_FOUND for an unknown group.
 */
import { groupsOf } from '../coordinator/group/install.js';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../protocol/generated/047-offset-delete.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 47;
export const minVersion = 0;
export const maxVersion = 0;

export async function handle(ctx: RequestContext, request: OffsetDeleteRequest): Promise<Init<OffsetDeleteResponse>> {
  const res = await groupsOf(ctx.services).deleteOffsets(
    request.groupId,
    request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })),
  );
  return { throttleTimeMs: 0, errorCode: res.errorCode, topics: res.topics };
}
