/**
 * DescribeGroups (key 15), versions 0-5. State (Kafka's names), protocol type, selected protocol
 * and members; member metadata and assignments only while the group is Stable, as Kafka. An unknown
 * group is described as Dead with no error. authorized_operations (v3+): every group operation
 * when asked (no authorizer), else Kafka's "omitted" default. Not served: v6 (GROUP_ID_NOT_FOUND
 * for unknown groups), which this codec does not have.
 */
import { groupsOf } from '../coordinator/group/install.js';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../protocol/generated/015-describe-groups.js';
import type { Init } from '../protocol/primitives/index.js';
import { AUTHORIZED_OPERATIONS_OMITTED } from './cluster-view.js';
import type { RequestContext } from './types.js';

export const apiKey = 15;
export const minVersion = 0;
export const maxVersion = 5;

/** AclOperation READ (3), DELETE (6), DESCRIBE (8): what a group supports. */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

export function handle(ctx: RequestContext, request: DescribeGroupsRequest): Init<DescribeGroupsResponse> {
  const ops = request.includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED;
  return {
    throttleTimeMs: 0,
    groups: groupsOf(ctx.services).describe(request.groups).map((g) => ({ ...g, authorizedOperations: ops })),
  };
}
