/**
 * CreateTopics (key 19), versions 0-7. Creates each requested topic through the TopicManager (which
 * validates names, collisions, counts, replication factor, manual assignments and configs with
 * Kafka's error codes and KRaft's messages, and creates the partition logs). -1 partitions or
 * replication factor take num.partitions / default.replication.factor (any version, as Kafka).
 * validate_only (v1+) checks everything and changes nothing.
 *
 * As Kafka's controller: a name given twice is INVALID_REQUEST "Duplicate topic name." (one result),
 * __cluster_metadata cannot be created. v5+ results carry the partition count, replication factor
 * and every topic config with its value and source; v7+ the topic id (zero for validate_only).
 * Failed topics answer -1 / -1 / no configs. timeout_ms is not used: creation finishes before the
 * answer is sent.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { CreateTopicsRequest, CreateTopicsResponse, CreateTopicsResponseCreatableTopicResult } from '../protocol/generated/019-create-topics.js';
import type { Init } from '../protocol/primitives/index.js';
import { ZERO_TOPIC_ID } from '../metadata/topic-registry.js';
import { topicConfigView } from './cluster-view.js';
import type { RequestContext } from './types.js';

export const apiKey = 19;
export const minVersion = 0;
export const maxVersion = 7;

const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

type Result = Init<CreateTopicsResponseCreatableTopicResult>;

const failed = (name: string, errorCode: number, errorMessage: string): Result => ({
  name,
  topicId: ZERO_TOPIC_ID,
  errorCode,
  errorMessage,
  numPartitions: -1,
  replicationFactor: -1,
  configs: [],
});

export async function handle(ctx: RequestContext, request: CreateTopicsRequest, version: number): Promise<Init<CreateTopicsResponse>> {
  const { services } = ctx;
  const validateOnly = version >= 1 && request.validateOnly;
  const counts = new Map<string, number>();
  for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);

  const results: Result[] = [];
  for (const t of request.topics) {
    if (counts.get(t.name)! > 1) continue;
    if (t.name === CLUSTER_METADATA_TOPIC) {
      results.push(failed(t.name, ErrorCode.INVALID_REQUEST, `Creation of internal topic ${CLUSTER_METADATA_TOPIC} is prohibited.`));
      continue;
    }
    const r = await services.topics.createTopic(
      {
        name: t.name,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        assignments: t.assignments,
        configs: t.configs.map((c): [string, string | null] => [c.name, c.value]),
      },
      { validateOnly },
    );
    if (!('topic' in r)) {
      results.push(failed(t.name, r.errorCode, r.message));
      continue;
    }
    results.push({
      name: t.name,
      topicId: validateOnly ? ZERO_TOPIC_ID : r.topic.topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: r.topic.leaderEpochs.length,
      replicationFactor: 1,
      configs: version >= 5 ? topicConfigView(services, r.topic.configs) : [],
    });
  }
  for (const [name, n] of counts) if (n > 1) results.push(failed(name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));
  return { throttleTimeMs: 0, topics: results };
}
