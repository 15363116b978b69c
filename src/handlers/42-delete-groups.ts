/**
 * DeleteGroups (key 42), versions 0-2. Deletes groups without members and their committed offsets
 * (tombstones in __consumer_offsets); NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for
 * an unknown group.
 */
import { groupsOf } from '../coordinator/group/install.js';
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../protocol/generated/042-delete-groups.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 42;
export const minVersion = 0;
export const maxVersion = 2;

export async function handle(ctx: RequestContext, request: DeleteGroupsRequest): Promise<Init<DeleteGroupsResponse>> {
  return { throttleTimeMs: 0, results: await groupsOf(ctx.services).deleteGroups(request.groupsNames) };
}
