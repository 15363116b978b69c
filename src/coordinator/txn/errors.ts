/**
 * Version-dependent error codes of the transaction APIs. KIP-588 added PRODUCER_FENCED (90); older
 * request versions get INVALID_PRODUCER_EPOCH (47) instead, as Kafka's KafkaApis answers them.
 */
import { ErrorCode } from '../../protocol/errors.js';

/** First version of each API that may answer PRODUCER_FENCED. */
export const FIRST_PRODUCER_FENCED_VERSION = {
  initProducerId: 4,
  addPartitionsToTxn: 2,
  addOffsetsToTxn: 2,
  endTxn: 2,
  txnOffsetCommit: 3,
} as const;

export function forVersion(code: number, version: number, firstFencedVersion: number): number {
  return code === ErrorCode.PRODUCER_FENCED && version < firstFencedVersion ? ErrorCode.INVALID_PRODUCER_EPOCH : code;
}
