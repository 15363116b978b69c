/**
 * AlterConfigs (key 33), v0-2: replaces a topic's dynamic configs, or this broker's / the cluster
 * default's dynamic broker configs, with the given set (validate_only supported). Kafka's answers:
 * INVALID_CONFIG for bad topic configs, INVALID_REQUEST for bad broker configs, null values, duplicate
 * keys or resources; BROKER_LOGGER is only alterable through IncrementalAlterConfigs.
 */
import type { AlterConfigsRequest, AlterConfigsResponse } from '../protocol/generated/033-alter-configs.js';
import type { Init } from '../protocol/primitives/index.js';
import { AlterOp, configService } from '../metadata/config-service.js';
import type { RequestContext } from './types.js';

export const apiKey = 33;
export const minVersion = 0;
export const maxVersion = 2;

export async function handle(ctx: RequestContext, req: AlterConfigsRequest): Promise<Init<AlterConfigsResponse>> {
  const resources = req.resources.map((r) => ({
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs: r.configs.map((c) => ({ name: c.name, op: AlterOp.SET, value: c.value })),
  }));
  const responses = await configService(ctx.services).alter(resources, false, req.validateOnly);
  return { throttleTimeMs: 0, responses };
}
