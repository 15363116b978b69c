/**
 * ListGroups (key 16), versions 0-5. Every group this coordinator knows (groups holding only
 * committed offsets included), filtered by state (v4+, case-insensitive) and type (v5+: all
 * groups here are "classic").
 */
import { groupsOf } from '../coordinator/group/install.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../protocol/generated/016-list-groups.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 16;
export const minVersion = 0;
export const maxVersion = 5;

export function handle(ctx: RequestContext, request: ListGroupsRequest, version: number): Init<ListGroupsResponse> {
  const states = version >= 4 ? request.statesFilter : [];
  const types = version >= 5 ? request.typesFilter : [];
  return { throttleTimeMs: 0, errorCode: 0, groups: groupsOf(ctx.services).list(states, types) };
}
