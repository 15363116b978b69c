/**
 * DescribeTopicPartitions (key 75), version 0: what Java's admin client (kafka-topics --describe)
 * uses instead of Metadata. Topics sorted by name, partitions paged: at most
 * min(response_partition_limit, 2000) partitions per answer (2000 = Kafka's
 * max.request.partition.size.limit); when a topic is cut short, or the limit is used up before the
 * next topic, next_cursor names where to continue. An empty topic list means all topics; a cursor
 * starts at its topic (names sorting before it are skipped) and partition, and must name one of the
 * listed topics (else INVALID_REQUEST for every listed topic, as Kafka).
 *
 * Each partition: us as leader, the registry's leader epoch, replicas = ISR = [us], empty
 * eligible-leader lists (no ELR), no offline replicas. Named topics that are unknown answer
 * UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an illegal name); nothing is auto-created.
 * Authorized operations: every topic operation (no authorizer), as Kafka always fills them here.
 */
import { ErrorCode } from '../protocol/errors.js';
import type {
  DescribeTopicPartitionsRequest,
  DescribeTopicPartitionsResponse,
  DescribeTopicPartitionsResponseCursor,
  DescribeTopicPartitionsResponseTopic,
} from '../protocol/generated/075-describe-topic-partitions.js';
import type { Init } from '../protocol/primitives/index.js';
import { invalidTopicReason } from '../metadata/topic-names.js';
import { ZERO_TOPIC_ID } from '../metadata/topic-registry.js';
import { isInternal, partitionView, TOPIC_AUTHORIZED_OPERATIONS } from './cluster-view.js';
import type { RequestContext } from './types.js';

export const apiKey = 75;
export const minVersion = 0;
export const maxVersion = 0;

/** Kafka's max.request.partition.size.limit default: the most partitions one answer carries. */
export const MAX_PARTITIONS_PER_RESPONSE = 2000;

type TopicOut = Init<DescribeTopicPartitionsResponseTopic>;

export function handle(ctx: RequestContext, request: DescribeTopicPartitionsRequest): Init<DescribeTopicPartitionsResponse> {
  const { services } = ctx;
  const { cursor } = request;
  const fetchAll = request.topics.length === 0;
  const from = cursor?.topicName ?? '';
  const names = new Set<string>();
  for (const n of fetchAll ? services.topics.list().map((t) => t.name) : request.topics.map((t) => t.name)) if (n >= from) names.add(n);

  if (!fetchAll && cursor && !names.has(cursor.topicName)) {
    const topics = request.topics.map((t): TopicOut => ({ errorCode: ErrorCode.INVALID_REQUEST, name: t.name, topicId: ZERO_TOPIC_ID, partitions: [] }));
    return { throttleTimeMs: 0, topics, nextCursor: null };
  }

  const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let remaining = Math.min(MAX_PARTITIONS_PER_RESPONSE, request.responsePartitionLimit);
  const out: TopicOut[] = [];
  let nextCursor: Init<DescribeTopicPartitionsResponseCursor> | null = null;

  for (const name of sorted) {
    if (remaining <= 0) {
      if (remaining === 0) nextCursor = { topicName: name, partitionIndex: 0 };
      break;
    }
    const t = services.topics.get(name);
    if (!t) {
      if (!fetchAll) {
        const errorCode = invalidTopicReason(name) === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION;
        out.push({ errorCode, name, topicId: ZERO_TOPIC_ID, isInternal: isInternal(name), partitions: [], topicAuthorizedOperations: TOPIC_AUTHORIZED_OPERATIONS });
      }
      continue;
    }
    const count = t.leaderEpochs.length;
    const start = cursor && name === cursor.topicName ? Math.max(0, cursor.partitionIndex) : 0;
    const end = Math.min(count, start + remaining);
    const partitions = [];
    for (let p = start; p < end; p++) {
      const { errorCode, partitionIndex, leaderId, leaderEpoch, replicaNodes, isrNodes, offlineReplicas } = partitionView(services, t, p);
      partitions.push({ errorCode, partitionIndex, leaderId, leaderEpoch, replicaNodes, isrNodes, eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas });
    }
    out.push({ errorCode: ErrorCode.NONE, name, topicId: t.topicId, isInternal: isInternal(t), partitions, topicAuthorizedOperations: TOPIC_AUTHORIZED_OPERATIONS });
    if (end < count) {
      nextCursor = { topicName: name, partitionIndex: end };
      break;
    }
    remaining -= Math.max(0, end - start);
  }
  return { throttleTimeMs: 0, topics: out, nextCursor };
}
