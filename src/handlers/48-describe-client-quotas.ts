/**
 * DescribeClientQuotas (key 48), v0-1: the stored client quotas matching the filter (exact name,
 * default entity, or any specified name per entity type; strict = no other entity types), with
 * Kafka 4.x's errors for bad filters. Quotas are stored but not enforced yet (metadata/quotas.ts).
 */
import type { DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../protocol/generated/048-describe-client-quotas.js';
import type { Init } from '../protocol/primitives/index.js';
import { quotaStore } from '../metadata/quotas.js';
import type { RequestContext } from './types.js';

export const apiKey = 48;
export const minVersion = 0;
export const maxVersion = 1;

export async function handle(ctx: RequestContext, req: DescribeClientQuotasRequest): Promise<Init<DescribeClientQuotasResponse>> {
  const res = (await quotaStore(ctx.services.extensions)).describe(req.components, req.strict);
  return { throttleTimeMs: 0, ...res };
}
