/**
 * OffsetFetch (key 9), versions 0-9. Committed offset, leader epoch (v5+) and metadata of each
 * requested partition, -1 for partitions without a commit; every committed partition of the group
 * when topics is null (v2+). v8+ asks for several groups at once. require_stable (v7+): a partition
 * for which a running transaction holds offsets not committed yet (the transaction coordinator keeps
 * them until the commit) gets UNSTABLE_OFFSET_COMMIT with offset -1, as Kafka answers; the client
 * retries. Without require_stable the last committed offset is answered.
 * The v9 member id / epoch of KIP-848 groups are not checked (classic groups only).
 */
import { groupsOf } from '../coordinator/group/install.js';
import { transactionsOf } from '../coordinator/txn/install.js';
import { ErrorCode } from '../protocol/errors.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../protocol/generated/009-offset-fetch.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 9;
export const minVersion = 0;
export const maxVersion = 9;

export async function handle(ctx: RequestContext, request: OffsetFetchRequest, version: number): Promise<Init<OffsetFetchResponse>> {
  const groups = groupsOf(ctx.services);
  const txn = request.requireStable ? await transactionsOf(ctx.services) : null;
  const fetch = (groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null) =>
    groups.fetch(groupId, topics).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) =>
        txn?.hasPendingOffsets(groupId, t.name, p.partitionIndex)
          ? { ...p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }
          : { ...p, committedOffset: BigInt(p.committedOffset) },
      ),
    }));
  if (version >= 8) {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((g) => ({ groupId: g.groupId, errorCode: 0, topics: fetch(g.groupId, g.topics) })),
    };
  }
  // v0-1 cannot ask for "all topics"; a null list there is read as empty.
  const topics = request.topics ?? (version >= 2 ? null : []);
  return { throttleTimeMs: 0, errorCode: 0, topics: fetch(request.groupId, topics) };
}
