/**
 * OffsetCommit (key 8), versions 0-9. Commits offsets with leader epoch (v6+) and metadata for a
 * group member (generation + member id, v7+ group.instance.id) or a simple consumer (generation
 * -1, no member id, group without members). Answered once the records are fsynced in
 * __consumer_offsets. Unknown topic partitions are UNKNOWN_TOPIC_OR_PARTITION. The commit time is
 * the broker's; commit_timestamp (v1) and retention_time_ms (v2-4) are ignored
 * (offsets.retention.minutes applies). v9 member epochs of KIP-848 groups are not served.
 */
import { groupsOf } from '../coordinator/group/install.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../protocol/generated/008-offset-commit.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 8;
export const minVersion = 0;
export const maxVersion = 9;

export async function handle(ctx: RequestContext, request: OffsetCommitRequest, version: number): Promise<Init<OffsetCommitResponse>> {
  const { topics } = ctx.services;
  const exists = (name: string, p: number) => {
    const t = topics.get(name);
    return t !== undefined && p >= 0 && p < t.leaderEpochs.length;
  };
  const results = await groupsOf(ctx.services).commit(
    {
      groupId: request.groupId,
      generationId: version >= 1 ? request.generationIdOrMemberEpoch : -1,
      memberId: version >= 1 ? request.memberId : '',
      groupInstanceId: version >= 7 ? request.groupInstanceId : null,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: Number(p.committedOffset),
          committedLeaderEpoch: version >= 6 ? p.committedLeaderEpoch : -1,
          committedMetadata: p.committedMetadata,
        })),
      })),
    },
    exists,
  );
  return { throttleTimeMs: 0, topics: results };
}
