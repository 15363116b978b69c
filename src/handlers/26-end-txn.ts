/**
 * EndTxn (key 26), versions 0-4. Commits or aborts the transaction: PrepareCommit/PrepareAbort is
 * written to __transaction_state, COMMIT/ABORT control batches go to every partition of the
 * transaction (with its producer id/epoch), offsets of a committed transaction go to the group
 * coordinator, then Complete*. Answered once the markers are written, so a read_committed consumer
 * sees the data right after. v5 (KIP-890 part 2, an epoch bump per transaction) is not served, so
 * transaction.version is never advertised. PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2.
 */
import { FIRST_PRODUCER_FENCED_VERSION, forVersion } from '../coordinator/txn/errors.js';
import { transactionsOf } from '../coordinator/txn/install.js';
import { ErrorCode } from '../protocol/errors.js';
import type { EndTxnRequest, EndTxnResponse } from '../protocol/generated/026-end-txn.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 26;
export const minVersion = 0;
export const maxVersion = 4;

export async function handle(ctx: RequestContext, request: EndTxnRequest, version: number): Promise<Init<EndTxnResponse>> {
  if (request.transactionalId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST };
  const txn = await transactionsOf(ctx.services);
  const code = await txn.endTxn(request.transactionalId, { producerId: request.producerId, producerEpoch: request.producerEpoch }, request.committed);
  return { throttleTimeMs: 0, errorCode: forVersion(code, version, FIRST_PRODUCER_FENCED_VERSION.endTxn) };
}
