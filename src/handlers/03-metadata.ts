/**
 * Metadata (key 3), versions 0-12. One broker (us: node id, the address advertised for the client's
 * listener, rack null), cluster id (v2+), controller id = our node id (v1+), and every requested
 * topic with its topic id (v10+), internal flag (v1+) and partitions led by us at their stable
 * leader epoch (v7+), replicas = ISR = [us], no offline replicas (v5+).
 *
 * Topic selection: v0 empty list = all topics; v1+ null = all, empty = none. v10+ topics may be named
 * by id (unknown id: UNKNOWN_TOPIC_ID, name null). Unknown names: INVALID_TOPIC_EXCEPTION for an
 * illegal name, else auto-created when the request allows it (always below v4, never for "all
 * topics") and auto.create.topics.enable is on, else UNKNOWN_TOPIC_OR_PARTITION. An auto-created
 * topic is answered with its partitions at once (Kafka answers LEADER_NOT_AVAILABLE and lets the
 * client retry; creation here is synchronous, so the retry would only cost the client time).
 * Internal topic names (__consumer_offsets, ...) are left to their coordinators, never auto-created.
 *
 * Authorized operations (v8+, cluster v8-10): the -2147483648 default unless requested, else every
 * operation (no authorizer). Not done: rack-aware answers, the v13 top-level error code.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { MetadataRequest, MetadataResponse, MetadataResponseTopic } from '../protocol/generated/003-metadata.js';
import type { Init } from '../protocol/primitives/index.js';
import { invalidTopicReason } from '../metadata/topic-names.js';
import { ZERO_TOPIC_ID, type TopicInfo } from '../metadata/topic-registry.js';
import {
  AUTHORIZED_OPERATIONS_OMITTED,
  brokerView,
  CLUSTER_AUTHORIZED_OPERATIONS,
  isInternal,
  partitionView,
  TOPIC_AUTHORIZED_OPERATIONS,
} from './cluster-view.js';
import type { BrokerServices, RequestContext } from './types.js';

export const apiKey = 3;
export const minVersion = 0;
export const maxVersion = 12;

type TopicOut = Init<MetadataResponseTopic>;

function topicOk(services: BrokerServices, t: TopicInfo): TopicOut {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: isInternal(t),
    partitions: t.leaderEpochs.map((_, p) => partitionView(services, t, p)),
  };
}

function topicError(errorCode: number, name: string | null, topicId = ZERO_TOPIC_ID): TopicOut {
  return { errorCode, name, topicId, isInternal: name !== null && isInternal(name), partitions: [] };
}

const byName = (a: TopicInfo, b: TopicInfo) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export async function handle(ctx: RequestContext, request: MetadataRequest, version: number): Promise<Init<MetadataResponse>> {
  const { services } = ctx;
  const { topics } = services;
  const allTopics = request.topics === null || (version === 0 && request.topics.length === 0);
  const autoCreate = !allTopics && request.allowAutoTopicCreation && services.config.bool('auto.create.topics.enable');

  const out: TopicOut[] = [];
  if (allTopics) {
    for (const t of topics.list().sort(byName)) out.push(topicOk(services, t));
  } else {
    const seen = new Set<string>();
    for (const rt of request.topics!) {
      let name = rt.name;
      if (version >= 10 && rt.topicId !== ZERO_TOPIC_ID) {
        const t = topics.getById(rt.topicId);
        if (!t) {
          if (!seen.has(`#${rt.topicId}`)) out.push(topicError(ErrorCode.UNKNOWN_TOPIC_ID, null, rt.topicId));
          seen.add(`#${rt.topicId}`);
          continue;
        }
        name = t.name;
      }
      if (name === null || seen.has(name)) continue; // neither name nor id; or asked twice: one answer
      seen.add(name);
      out.push(await describeOrCreate(services, name, autoCreate));
    }
  }

  if (version >= 8 && request.includeTopicAuthorizedOperations) {
    for (const t of out) t.topicAuthorizedOperations = TOPIC_AUTHORIZED_OPERATIONS;
  }
  const broker = brokerView(ctx);
  return {
    throttleTimeMs: 0,
    brokers: [broker],
    clusterId: services.clusterId,
    controllerId: services.nodeId,
    topics: out,
    clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  };
}

async function describeOrCreate(services: BrokerServices, name: string, autoCreate: boolean): Promise<TopicOut> {
  const existing = services.topics.get(name);
  if (existing) return topicOk(services, existing);
  if (invalidTopicReason(name) !== null) return topicError(ErrorCode.INVALID_TOPIC_EXCEPTION, name);
  if (!autoCreate || isInternal(name)) return topicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name);
  const created = await services.topics.autoCreate(name);
  if ('topic' in created) return topicOk(services, created.topic);
  services.logger.info({ topic: name, errorCode: created.errorCode, reason: created.message }, 'auto-creation failed');
  return topicError(created.errorCode, name);
}
