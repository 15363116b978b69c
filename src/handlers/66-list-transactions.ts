/**
 * ListTransactions (key 66), versions 0-1. Every transactional id the coordinator knows, filtered by
 * state names (unknown names are echoed in unknown_state_filters), producer ids and, from v1,
 * duration_filter (running for longer than that many ms; -1 = no filter). No authorization yet.
 */
import { transactionsOf } from '../coordinator/txn/install.js';
import { ALL_STATES, TxnState } from '../coordinator/txn/metadata.js';
import { ErrorCode } from '../protocol/errors.js';
import type { ListTransactionsRequest, ListTransactionsResponse } from '../protocol/generated/066-list-transactions.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 66;
export const minVersion = 0;
export const maxVersion = 1;

export async function handle(ctx: RequestContext, request: ListTransactionsRequest): Promise<Init<ListTransactionsResponse>> {
  const txn = await transactionsOf(ctx.services);
  const unknownStateFilters = request.stateFilters.filter((s) => !ALL_STATES.includes(s));
  const states = new Set(request.stateFilters);
  const pids = new Set(request.producerIdFilters);
  const minDuration = Number(request.durationFilter);
  const now = ctx.now;
  const transactionStates = [];
  for (const m of txn.list()) {
    if (m.state === TxnState.Dead) continue;
    if (states.size > 0 && !states.has(m.state)) continue;
    if (pids.size > 0 && !pids.has(m.producerId)) continue;
    if (minDuration >= 0 && (m.startTimestamp < 0 || now - m.startTimestamp <= minDuration)) continue;
    transactionStates.push({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: m.state });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
}
