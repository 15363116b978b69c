/**
 * DescribeConfigs (key 32), v0-4: topic configs (every config Kafka 4.x documents, with value, source,
 * synonyms, type and v0's is_default), broker configs for this node or the cluster default (""), and
 * the broker logger. Rules live in metadata/config-service.ts. Not served: GROUP and CLIENT_METRICS
 * resources (answered INVALID_REQUEST); documentation is null unless Brook has a line for the key.
 */
import type { DescribeConfigsRequest, DescribeConfigsResponse } from '../protocol/generated/032-describe-configs.js';
import type { Init } from '../protocol/primitives/index.js';
import { configService } from '../metadata/config-service.js';
import type { RequestContext } from './types.js';

export const apiKey = 32;
export const minVersion = 0;
export const maxVersion = 4;

export function handle(ctx: RequestContext, req: DescribeConfigsRequest, version: number): Init<DescribeConfigsResponse> {
  const results = configService(ctx.services).describe(req.resources, version >= 1 && req.includeSynonyms, version >= 3 && req.includeDocumentation);
  return { throttleTimeMs: 0, results };
}
