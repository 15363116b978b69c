/**
 * AddOffsetsToTxn (key 25), versions 0-4. Adds a consumer group to the transaction, so that its
 * TxnOffsetCommit offsets are committed with it (Kafka adds the group's __consumer_offsets
 * partition; Brook keeps the group in the transaction's metadata and hands the offsets to the group
 * coordinator on commit). PRODUCER_FENCED is answered as INVALID_PRODUCER_EPOCH before v2.
 */
import { FIRST_PRODUCER_FENCED_VERSION, forVersion } from '../coordinator/txn/errors.js';
import { transactionsOf } from '../coordinator/txn/install.js';
import { ErrorCode } from '../protocol/errors.js';
import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../protocol/generated/025-add-offsets-to-txn.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 25;
export const minVersion = 0;
export const maxVersion = 4;

export async function handle(ctx: RequestContext, request: AddOffsetsToTxnRequest, version: number): Promise<Init<AddOffsetsToTxnResponse>> {
  if (request.transactionalId === '' || request.groupId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST };
  const txn = await transactionsOf(ctx.services);
  const code = await txn.addOffsets(request.transactionalId, { producerId: request.producerId, producerEpoch: request.producerEpoch }, request.groupId);
  return { throttleTimeMs: 0, errorCode: forVersion(code, version, FIRST_PRODUCER_FENCED_VERSION.addOffsetsToTxn) };
}
