/**
 * ApiVersions (key 18), versions 0-4. Answers with every registered API at the versions its handler
 * serves (the registry is the only source). The response header is always v0, also at v3+ (the
 * codec's responseHeaderVersion says so). No SupportedFeatures / FinalizedFeatures are sent: Brook
 * implements no feature flags yet, and advertising one switches client behaviour (PITFALLS 5).
 * A version above 4 never reaches this handler: the dispatcher answers it in v0 format with
 * UNSUPPORTED_VERSION and this range.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { ApiVersionsRequest, ApiVersionsResponse } from '../protocol/generated/018-api-versions.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 18;
export const minVersion = 0;
export const maxVersion = 4;

/** Kafka's rule for client_software_name / client_software_version (v3+). */
const SOFTWARE_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;

export function handle(ctx: RequestContext, request: ApiVersionsRequest, version: number): Init<ApiVersionsResponse> {
  if (version >= 3 && !(SOFTWARE_NAME.test(request.clientSoftwareName) && SOFTWARE_NAME.test(request.clientSoftwareVersion))) {
    return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [], throttleTimeMs: 0 };
  }
  return {
    errorCode: ErrorCode.NONE,
    apiKeys: ctx.services.apis().map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion })),
    throttleTimeMs: 0,
  };
}
