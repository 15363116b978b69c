/**
 * IncrementalAlterConfigs (key 44), v0-1: SET, DELETE, APPEND, SUBTRACT (the last two on list configs
 * only, e.g. cleanup.policy) on topics, this broker / the cluster default (dynamic broker configs,
 * persisted and applied to live logs) and the broker logger ("root"); validate_only supported.
 * Wording and codes follow Kafka 4.x (see metadata/config-service.ts).
 */
import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../protocol/generated/044-incremental-alter-configs.js';
import type { Init } from '../protocol/primitives/index.js';
import { configService } from '../metadata/config-service.js';
import type { RequestContext } from './types.js';

export const apiKey = 44;
export const minVersion = 0;
export const maxVersion = 1;

export async function handle(ctx: RequestContext, req: IncrementalAlterConfigsRequest): Promise<Init<IncrementalAlterConfigsResponse>> {
  const resources = req.resources.map((r) => ({
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs: r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })),
  }));
  const responses = await configService(ctx.services).alter(resources, true, req.validateOnly);
  return { throttleTimeMs: 0, responses };
}
