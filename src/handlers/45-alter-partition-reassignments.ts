/**
 * AlterPartitionReassignments (key 45), v0. With one broker the only valid target is [this broker],
 * which every partition already has: Kafka (KRaft) answers success for it, INVALID_REPLICA_ASSIGNMENT
 * for empty lists, repeated or unknown brokers, NO_REASSIGNMENT_IN_PROGRESS for a cancellation
 * (replicas null) and UNKNOWN_TOPIC_OR_PARTITION for unknown partitions. Nothing ever moves.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse } from '../protocol/generated/045-alter-partition-reassignments.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 45;
export const minVersion = 0;
export const maxVersion = 0;

function check(nodeId: number, replicas: readonly number[]): { errorCode: number; errorMessage: string | null } {
  if (replicas.length === 0) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The manual partition assignment includes an empty replica list.' };
  const seen = new Set<number>();
  for (const id of replicas) {
    if (seen.has(id)) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `The manual partition assignment includes the broker ${id} more than once.` };
    seen.add(id);
    if (id !== nodeId) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `The manual partition assignment includes broker ${id}, but no such broker is registered.` };
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}

export function handle(ctx: RequestContext, req: AlterPartitionReassignmentsRequest): Init<AlterPartitionReassignmentsResponse> {
  const { topics, nodeId } = ctx.services;
  const responses = req.topics.map((t) => {
    const count = topics.get(t.name)?.leaderEpochs.length;
    const partitions = t.partitions.map((p) => {
      const res =
        count === undefined
          ? { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unable to find a topic named ${t.name}.` }
          : p.partitionIndex < 0 || p.partitionIndex >= count
            ? { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unable to find partition ${t.name}:${p.partitionIndex}.` }
            : p.replicas === null
              ? { errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: null }
              : check(nodeId, p.replicas);
      return { partitionIndex: p.partitionIndex, ...res };
    });
    return { name: t.name, partitions };
  });
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, responses };
}
