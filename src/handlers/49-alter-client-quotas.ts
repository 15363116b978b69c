/**
 * AlterClientQuotas (key 49), v0-1: sets or removes quota values per entity (user, client-id, both,
 * or ip; null name = default), validate_only supported, Kafka 4.x's validation (INVALID_REQUEST with
 * its messages). Stored and persisted; enforcement comes with a later issue.
 */
import type { AlterClientQuotasRequest, AlterClientQuotasResponse } from '../protocol/generated/049-alter-client-quotas.js';
import type { Init } from '../protocol/primitives/index.js';
import { quotaStore } from '../metadata/quotas.js';
import type { RequestContext } from './types.js';

export const apiKey = 49;
export const minVersion = 0;
export const maxVersion = 1;

export async function handle(ctx: RequestContext, req: AlterClientQuotasRequest): Promise<Init<AlterClientQuotasResponse>> {
  const entries = await (await quotaStore(ctx.services.extensions)).alter(req.entries, req.validateOnly);
  return { throttleTimeMs: 0, entries };
}
