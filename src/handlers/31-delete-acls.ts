/**
 * DeleteAcls (key 31), v1-3 (Kafka 4.x's minimum is 1). No authorizer yet: every filter fails with
 * SECURITY_DISABLED "No Authorizer is configured." and no matching ACLs, as Kafka answers without one.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { DeleteAclsRequest, DeleteAclsResponse } from '../protocol/generated/031-delete-acls.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 31;
export const minVersion = 1;
export const maxVersion = 3;

export function handle(_ctx: RequestContext, req: DeleteAclsRequest): Init<DeleteAclsResponse> {
  return {
    throttleTimeMs: 0,
    filterResults: req.filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.', matchingAcls: [] })),
  };
}
