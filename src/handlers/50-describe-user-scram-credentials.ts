/**
 * DescribeUserScramCredentials (key 50), v0. Brook has no SCRAM users until SASL arrives, so the
 * answer is Kafka's for an empty credential store: no results when users is null or empty, otherwise
 * RESOURCE_NOT_FOUND per user and DUPLICATE_RESOURCE for a user named twice.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse } from '../protocol/generated/050-describe-user-scram-credentials.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 50;
export const minVersion = 0;
export const maxVersion = 0;

export function handle(_ctx: RequestContext, req: DescribeUserScramCredentialsRequest): Init<DescribeUserScramCredentialsResponse> {
  const counts = new Map<string, number>();
  for (const u of req.users ?? []) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
  const results = [...counts].map(([user, n]) =>
    n > 1
      ? { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] }
      : { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] },
  );
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: '', results };
}
