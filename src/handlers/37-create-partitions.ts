/**
 * CreatePartitions (key 37), versions 0-3. Grows each topic to `count` partitions (TopicManager:
 * registry first, then the new partition logs). Only increases: the same count or fewer is
 * INVALID_PARTITIONS with KRaft's messages. Assignments, when given, need one replica list per new
 * partition naming only this broker (INVALID_REPLICA_ASSIGNMENT otherwise). validate_only checks and
 * changes nothing. A topic named twice is INVALID_REQUEST "Duplicate topic name." (one result).
 * Brook refuses to grow internal topics: the coordinators map keys to their partitions by count.
 * timeout_ms is not used.
 */
import { ErrorCode } from '../protocol/errors.js';
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreatePartitionsResponseCreatePartitionsTopicResult,
} from '../protocol/generated/037-create-partitions.js';
import type { Init } from '../protocol/primitives/index.js';
import { isInternal } from './cluster-view.js';
import type { RequestContext } from './types.js';

export const apiKey = 37;
export const minVersion = 0;
export const maxVersion = 3;

type Result = Init<CreatePartitionsResponseCreatePartitionsTopicResult>;

export async function handle(ctx: RequestContext, request: CreatePartitionsRequest): Promise<Init<CreatePartitionsResponse>> {
  const { topics } = ctx.services;
  const counts = new Map<string, number>();
  for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);

  const results: Result[] = [];
  for (const t of request.topics) {
    if (counts.get(t.name)! > 1) continue;
    const info = topics.get(t.name);
    if (info && isInternal(info)) {
      results.push({ name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Cannot change the partition count of internal topic ${t.name}.` });
      continue;
    }
    const r = await topics.createPartitions(t.name, t.count, request.validateOnly, t.assignments?.map((a) => a.brokerIds));
    results.push({ name: t.name, errorCode: r.errorCode, errorMessage: 'topic' in r ? null : r.message });
  }
  for (const [name, n] of counts) if (n > 1) results.push({ name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });
  return { throttleTimeMs: 0, results };
}
