/**
 * FindCoordinator (key 10), versions 0-6. A single node coordinates every group and transactional
 * id, so the answer is always this broker at the address of the client's listener: one key at
 * v0-3, batched coordinator_keys at v4+. key_type 0 (group) and 1 (transaction) are served; any
 * other type (2: share groups) is INVALID_REQUEST. Does not create __consumer_offsets: the group
 * coordinator creates it on first write.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../protocol/generated/010-find-coordinator.js';
import type { Init } from '../protocol/primitives/index.js';
import { brokerView } from './cluster-view.js';
import type { RequestContext } from './types.js';

export const apiKey = 10;
export const minVersion = 0;
export const maxVersion = 6;

const KEY_TYPE = { GROUP: 0, TRANSACTION: 1 } as const;

export function handle(ctx: RequestContext, request: FindCoordinatorRequest, version: number): Init<FindCoordinatorResponse> {
  const b = brokerView(ctx);
  const keyType = version >= 1 ? request.keyType : KEY_TYPE.GROUP;
  const supported = keyType === KEY_TYPE.GROUP || keyType === KEY_TYPE.TRANSACTION;
  const errorCode = supported ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST;
  const errorMessage = supported ? null : `Unsupported key type ${keyType}`;
  const nodeId = supported ? b.nodeId : -1;
  const host = supported ? b.host : '';
  const port = supported ? b.port : -1;
  if (version >= 4) {
    return { throttleTimeMs: 0, coordinators: request.coordinatorKeys.map((key) => ({ key, nodeId, host, port, errorCode, errorMessage })) };
  }
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port };
}
