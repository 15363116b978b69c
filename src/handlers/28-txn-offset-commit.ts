/**
 * TxnOffsetCommit (key 28), versions 0-4. Offsets a transaction commits for a group (added before
 * with AddOffsetsToTxn) are kept in the transaction's metadata (durable in __transaction_state) and
 * become the group's committed offsets only when the transaction commits; an abort drops them.
 * v3+ generation/member/instance are checked by the group coordinator when it registers a
 * validator. A stale epoch is INVALID_PRODUCER_EPOCH (as Kafka's verification answers). No authorization yet.
 */
import { TXN_OFFSET_VALIDATOR_KEY, type TxnOffsetValidator, transactionsOf } from '../coordinator/txn/install.js';
import type { PendingOffset } from '../coordinator/txn/metadata.js';
import { ErrorCode } from '../protocol/errors.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../protocol/generated/028-txn-offset-commit.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 28;
export const minVersion = 0;
export const maxVersion = 4;

const FIRST_MEMBER_VERSION = 3;
const OFFSET_METADATA_MAX_BYTES = 4096;

export async function handle(ctx: RequestContext, request: TxnOffsetCommitRequest, version: number): Promise<Init<TxnOffsetCommitResponse>> {
  const answer = (code: (topic: string, p: { committedMetadata: string | null }) => number): Init<TxnOffsetCommitResponse> => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(t.name, p) })) })),
  });
  if (request.transactionalId === '' || request.groupId === '') return answer(() => ErrorCode.INVALID_GROUP_ID);
  const validator = ctx.services.extensions.get(TXN_OFFSET_VALIDATOR_KEY) as TxnOffsetValidator | undefined;
  if (validator && version >= FIRST_MEMBER_VERSION) {
    const code = validator(request.groupId, request.generationId, request.memberId, request.groupInstanceId);
    // Kafka checks only member and generation for TxnOffsetCommit, never a rebalance in progress: a
    // producer blocked on this call cannot let its consumer rejoin, so REBALANCE_IN_PROGRESS would deadlock it.
    if (code !== ErrorCode.NONE && code !== ErrorCode.REBALANCE_IN_PROGRESS) return answer(() => code);
  }
  const tooLarge = (p: { committedMetadata: string | null }) => (p.committedMetadata?.length ?? 0) > OFFSET_METADATA_MAX_BYTES;
  const offsets: PendingOffset[] = [];
  for (const t of request.topics) {
    for (const p of t.partitions) {
      if (tooLarge(p)) continue;
      offsets.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata });
    }
  }
  const txn = await transactionsOf(ctx.services);
  const code = await txn.txnOffsetCommit(request.transactionalId, { producerId: request.producerId, producerEpoch: request.producerEpoch }, request.groupId, offsets);
  // Kafka verifies TxnOffsetCommit through the partition-leader path, which answers a stale epoch with
  // INVALID_PRODUCER_EPOCH at every version (clients abort the transaction on it rather than die).
  const answered = code === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : code;
  return answer((_, p) => (answered === ErrorCode.NONE && tooLarge(p) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : answered));
}
