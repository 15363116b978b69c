/**
 * DescribeAcls (key 29), v1-3 (Kafka 4.x's minimum is 1). Brook has no authorizer yet; Kafka without
 * one answers SECURITY_DISABLED with "No Authorizer is configured on the broker", and so does Brook.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { DescribeAclsResponse } from '../protocol/generated/029-describe-acls.js';
import type { Init } from '../protocol/primitives/index.js';

export const apiKey = 29;
export const minVersion = 1;
export const maxVersion = 3;

export function handle(): Init<DescribeAclsResponse> {
  return { throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker', resources: [] };
}
