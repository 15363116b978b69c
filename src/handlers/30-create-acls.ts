/**
 * CreateAcls (key 30), v1-3 (Kafka 4.x's minimum is 1). No authorizer yet: every creation fails with
 * SECURITY_DISABLED "No Authorizer is configured.", as Kafka answers without one.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { CreateAclsRequest, CreateAclsResponse } from '../protocol/generated/030-create-acls.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 30;
export const minVersion = 1;
export const maxVersion = 3;

export function handle(_ctx: RequestContext, req: CreateAclsRequest): Init<CreateAclsResponse> {
  return { throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' })) };
}
