/**
 * DescribeTransactions (key 65), version 0. State, producer id/epoch, timeout, start time and
 * partitions of each transactional id; TRANSACTIONAL_ID_NOT_FOUND for an unknown (or expired) id.
 * Groups added with AddOffsetsToTxn are not listed as __consumer_offsets partitions. No authorization yet.
 */
import { transactionsOf } from '../coordinator/txn/install.js';
import { TxnState } from '../coordinator/txn/metadata.js';
import { ErrorCode } from '../protocol/errors.js';
import type { DescribeTransactionsRequest, DescribeTransactionsResponse } from '../protocol/generated/065-describe-transactions.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 65;
export const minVersion = 0;
export const maxVersion = 0;

export async function handle(ctx: RequestContext, request: DescribeTransactionsRequest): Promise<Init<DescribeTransactionsResponse>> {
  const txn = await transactionsOf(ctx.services);
  return {
    throttleTimeMs: 0,
    transactionStates: request.transactionalIds.map((transactionalId) => {
      if (transactionalId === '') return { transactionalId, errorCode: ErrorCode.INVALID_REQUEST };
      const m = txn.describe(transactionalId);
      if (!m || m.state === TxnState.Dead) return { transactionalId, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
      return {
        transactionalId,
        errorCode: ErrorCode.NONE,
        transactionState: m.state,
        transactionTimeoutMs: m.timeoutMs,
        transactionStartTimeMs: BigInt(m.startTimestamp),
        producerId: m.producerId,
        producerEpoch: m.producerEpoch,
        topics: m.partitions.map(([topic, partitions]) => ({ topic, partitions: [...partitions] })),
      };
    }),
  };
}
