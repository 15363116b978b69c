/**
 * TxnOffsetCommit (key 28), versions 0-4. Offsets a transaction commits for a group (added before
 * with AddOffsetsToTxn) are kept in the transaction's metadata (durable in __transaction_state) and
 * become the group's committed offsets only when the transaction commits; an abort drops them.
 * v3+ generation/member/instance are checked by the group coordinator when it registers a
 * validator. PRODUCER_FENCED is answered as INVALID_PRODUCER_EPOCH before v3. No authorization yet.
 */
import { FIRST_PRODUCER_FENCED_VERSION, forVersion } from '../coordinator/txn/errors.js';
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
    if (code !== ErrorCode.NONE) return answer(() => code);
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
  const answered = forVersion(code, version, FIRST_PRODUCER_FENCED_VERSION.txnOffsetCommit);
  return answer((_, p) => (answered === ErrorCode.NONE && tooLarge(p) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : answered));
}
