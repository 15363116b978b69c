/**
 * ListPartitionReassignments (key 46), v0: a single broker never has a reassignment in progress, so
 * the answer is always an empty list (Kafka answers the same for unknown topics and partitions).
 */
import type { ListPartitionReassignmentsResponse } from '../protocol/generated/046-list-partition-reassignments.js';
import type { Init } from '../protocol/primitives/index.js';

export const apiKey = 46;
export const minVersion = 0;
export const maxVersion = 0;

export function handle(): Init<ListPartitionReassignmentsResponse> {
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [] };
}
