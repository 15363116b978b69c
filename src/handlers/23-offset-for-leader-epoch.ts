/**
 * OffsetForLeaderEpoch (key 23), versions 0-4. Consumers use it to validate their position after a
 * leader change (KIP-320); Brook keeps one stable epoch per partition and answers consistently with
 * Fetch and ListOffsets (PITFALLS 20): the current epoch → the log end offset; an older one → where the
 * current epoch starts; a newer one → UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET (-1, -1).
 * current_leader_epoch (v2+) is checked (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH). replica_id (v3+)
 * is accepted and ignored: there are no followers.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../protocol/generated/023-offset-for-leader-epoch.js';
import type { Init } from '../protocol/primitives/index.js';
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, checkLeaderEpoch, resolvePartition } from '../storage/service/common.js';
import { endOffsetForEpoch } from '../storage/service/leader-epoch.js';
import type { RequestContext } from './types.js';

export const apiKey = 23;
export const minVersion = 0;
export const maxVersion = 4;

export function handle(ctx: RequestContext, request: OffsetForLeaderEpochRequest): Init<OffsetForLeaderEpochResponse> {
  const { services } = ctx;
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => {
      const topic = services.topics.get(t.topic);
      return {
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          const fail = (errorCode: number) => ({ errorCode, partition: p.partition, leaderEpoch: UNDEFINED_EPOCH, endOffset: BigInt(UNDEFINED_EPOCH_OFFSET) });
          const target = resolvePartition(services, topic, p.partition);
          if (!('log' in target)) return fail(target.errorCode);
          const epochError = checkLeaderEpoch(p.currentLeaderEpoch, target.leaderEpoch);
          if (epochError !== ErrorCode.NONE) return fail(epochError);
          const r = endOffsetForEpoch(target.log, target.leaderEpoch, p.leaderEpoch);
          return { errorCode: ErrorCode.NONE, partition: p.partition, leaderEpoch: r.leaderEpoch, endOffset: BigInt(r.endOffset) };
        }),
      };
    }),
  };
}
