/**
 * InitProducerId (key 22), versions 0-5. Without a transactional id: a fresh producer id at epoch 0
 * (ids come from blocks persisted in __transaction_state, never reused). With one: the transaction
 * coordinator bumps the epoch (fencing older producers), aborts an ongoing transaction first
 * (CONCURRENT_TRANSACTIONS until it completes), validates transaction.timeout.ms and, from v3, lets
 * a producer recover with its current producer id/epoch (KIP-360). PRODUCER_FENCED is answered as
 * INVALID_PRODUCER_EPOCH before v4. No authorization (TRANSACTIONAL_ID_AUTHORIZATION_FAILED) yet.
 */
import { FIRST_PRODUCER_FENCED_VERSION, forVersion } from '../coordinator/txn/errors.js';
import { transactionsOf } from '../coordinator/txn/install.js';
import { ErrorCode } from '../protocol/errors.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../protocol/generated/022-init-producer-id.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 22;
export const minVersion = 0;
export const maxVersion = 5;

export async function handle(ctx: RequestContext, request: InitProducerIdRequest, version: number): Promise<Init<InitProducerIdResponse>> {
  const txn = await transactionsOf(ctx.services);
  if (request.transactionalId === null) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: await txn.newProducerId(), producerEpoch: 0 };
  }
  const r = await txn.initProducerId({
    transactionalId: request.transactionalId,
    timeoutMs: request.transactionTimeoutMs,
    producerId: request.producerId,
    producerEpoch: request.producerEpoch,
  });
  return { throttleTimeMs: 0, errorCode: forVersion(r.errorCode, version, FIRST_PRODUCER_FENCED_VERSION.initProducerId), producerId: r.producerId, producerEpoch: r.producerEpoch };
}
