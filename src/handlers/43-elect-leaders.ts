/**
 * ElectLeaders (key 43), v0-2. Every partition has one replica, this broker, which already leads it:
 * Kafka answers ELECTION_NOT_NEEDED for such a partition (preferred or unclean election alike),
 * UNKNOWN_TOPIC_OR_PARTITION for unknown ones; with topic_partitions null it lists every topic with no
 * partition results; an unknown election type is INVALID_REQUEST for the request and each partition.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { ElectLeadersRequest, ElectLeadersResponse } from '../protocol/generated/043-elect-leaders.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 43;
export const minVersion = 0;
export const maxVersion = 2;

const NOT_NEEDED = 'Leader election not needed for topic partition.';

export function handle(ctx: RequestContext, req: ElectLeadersRequest, version: number): Init<ElectLeadersResponse> {
  const { topics } = ctx.services;
  if (req.topicPartitions === null) {
    const names = topics.list().map((t) => t.name).sort();
    return { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: names.map((topic) => ({ topic, partitionResult: [] })) };
  }
  const electionType = version >= 1 ? req.electionType : 0;
  const badType = electionType !== 0 && electionType !== 1;
  const replicaElectionResults = req.topicPartitions.map((tp) => {
    const count = topics.get(tp.topic)?.leaderEpochs.length;
    const partitionResult = tp.partitions.map((partitionId) => {
      if (badType) return { partitionId, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown election type ${electionType}` };
      if (count === undefined) return { partitionId, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such topic as ${tp.topic}` };
      if (partitionId < 0 || partitionId >= count) {
        return { partitionId, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such partition as ${tp.topic}-${partitionId}` };
      }
      return { partitionId, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: NOT_NEEDED };
    });
    return { topic: tp.topic, partitionResult };
  });
  return { throttleTimeMs: 0, errorCode: badType ? ErrorCode.INVALID_REQUEST : 0, replicaElectionResults };
}
