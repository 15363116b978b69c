/**
 * InitProducerId for a transactional.id, as a pure transition (Kafka's prepareInitProducerIdTransit):
 * bump the epoch (fencing older producers), rotate to a new producer id when the epoch is
 * exhausted, recover a producer that passes its current id/epoch (KIP-360), and fence an Ongoing
 * transaction: its epoch is bumped, it is aborted, and the caller is told CONCURRENT_TRANSACTIONS
 * so that its retry bumps again once the abort completed.
 */
import { ErrorCode } from '../../protocol/errors.js';
import {
  NO_PRODUCER_EPOCH, NO_PRODUCER_ID, type TxnMetadata, TxnState, isEpochExhausted, newMetadata,
} from './metadata.js';
import type { Step } from './machine.js';

export interface InitInput {
  transactionalId: string;
  timeoutMs: number;
  /** KIP-360 (v3+): the client's current producer id/epoch, or -1/-1. */
  producerId: bigint;
  producerEpoch: number;
}

export interface InitContext {
  now: number;
  maxTimeoutMs: number;
  /** A fresh producer id the transition may take (the step says whether it did). */
  freshProducerId: bigint;
}

export interface InitStep extends Step {
  producerId: bigint;
  producerEpoch: number;
}

const error = (meta: TxnMetadata | undefined, errorCode: number, usedFreshProducerId = false): InitStep => ({
  meta, errorCode, write: null, complete: null, usedFreshProducerId, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH,
});

export function initProducerId(current: TxnMetadata | undefined, input: InitInput, ctx: InitContext): InitStep {
  if (input.transactionalId === '') return error(current, ErrorCode.INVALID_REQUEST);
  if (input.timeoutMs <= 0 || input.timeoutMs > ctx.maxTimeoutMs) return error(current, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  if ((input.producerId === NO_PRODUCER_ID) !== (input.producerEpoch === NO_PRODUCER_EPOCH)) return error(current, ErrorCode.INVALID_REQUEST);
  const expected = input.producerId === NO_PRODUCER_ID ? null : { producerId: input.producerId, epoch: input.producerEpoch };

  let meta = current;
  let usedFresh = false;
  if (!meta || meta.state === TxnState.Dead) {
    meta = newMetadata(input.transactionalId, ctx.freshProducerId, input.timeoutMs, ctx.now);
    usedFresh = true;
  }
  const validId =
    !expected ||
    meta.producerEpoch === NO_PRODUCER_EPOCH ||
    expected.producerId === meta.producerId ||
    (expected.producerId === meta.lastProducerId && isEpochExhausted(expected.epoch));
  if (!validId) return error(current, ErrorCode.PRODUCER_FENCED);

  switch (meta.state) {
    case TxnState.PrepareCommit:
    case TxnState.PrepareAbort:
    case TxnState.PrepareEpochFence:
      return error(current, ErrorCode.CONCURRENT_TRANSACTIONS);
    case TxnState.Ongoing: {
      // Fence: bump the epoch, abort with it; the client retries and gets the next epoch.
      const fenced: TxnMetadata = {
        ...meta,
        producerEpoch: meta.producerEpoch + 1,
        lastProducerEpoch: NO_PRODUCER_EPOCH,
        state: TxnState.PrepareAbort,
        lastUpdateTimestamp: ctx.now,
      };
      return { ...error(fenced, ErrorCode.CONCURRENT_TRANSACTIONS), write: fenced, complete: { commit: false } };
    }
    default:
      break;
  }

  let next: TxnMetadata;
  if (isEpochExhausted(meta.producerEpoch) && (!expected || expected.epoch === meta.producerEpoch)) {
    next = {
      ...meta,
      producerId: ctx.freshProducerId,
      lastProducerId: meta.producerId,
      producerEpoch: 0,
      lastProducerEpoch: expected ? meta.producerEpoch : NO_PRODUCER_EPOCH,
    };
    usedFresh = true;
  } else if (!expected) {
    next = { ...meta, producerEpoch: meta.producerEpoch + 1, lastProducerEpoch: NO_PRODUCER_EPOCH };
  } else if (meta.producerEpoch === NO_PRODUCER_EPOCH || expected.epoch === meta.producerEpoch) {
    next = { ...meta, producerEpoch: meta.producerEpoch + 1, lastProducerEpoch: meta.producerEpoch };
  } else if (expected.epoch === meta.lastProducerEpoch) {
    next = meta; // a retry of a bump the client never heard about: same answer again
  } else {
    return error(current, ErrorCode.PRODUCER_FENCED);
  }
  next = { ...next, state: TxnState.Empty, timeoutMs: input.timeoutMs, partitions: [], groups: [], startTimestamp: -1, lastUpdateTimestamp: ctx.now };
  return {
    meta: next, errorCode: ErrorCode.NONE, write: next, complete: null, usedFreshProducerId: usedFresh,
    producerId: next.producerId, producerEpoch: next.producerEpoch,
  };
}
