/**
 * What this single-node broker says about itself and its topics, shared by the topic-describing APIs
 * (Metadata, DescribeTopicPartitions, DescribeCluster, CreateTopics): the broker list for the
 * client's listener, per-partition leadership (always us, epoch from the topic registry), and the
 * authorized-operations bitfields Kafka reports when no authorizer is configured.
 */
import { formatValue } from '../metadata/config-types.js';
import { effectiveTopicConfig, TOPIC_CONFIG_DEFS } from '../metadata/topic-config.js';
import { isInternalTopic } from '../metadata/topic-names.js';
import type { TopicInfo } from '../metadata/topic-registry.js';
import type { BrokerServices, RequestContext } from './types.js';

/** Kafka's schema default for *AuthorizedOperations: "not requested". */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/** AclOperation codes (org.apache.kafka.common.acl.AclOperation). */
const ACL = { READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12 } as const;
const bits = (ops: number[]) => ops.reduce((acc, op) => acc | (1 << op), 0);

/** Without an authorizer Kafka reports every operation the resource type supports (AclEntry.supportedOperations). */
export const TOPIC_AUTHORIZED_OPERATIONS = bits([ACL.READ, ACL.WRITE, ACL.CREATE, ACL.DESCRIBE, ACL.DELETE, ACL.ALTER, ACL.DESCRIBE_CONFIGS, ACL.ALTER_CONFIGS]); // 3576
export const CLUSTER_AUTHORIZED_OPERATIONS = bits([ACL.CREATE, ACL.CLUSTER_ACTION, ACL.DESCRIBE_CONFIGS, ACL.ALTER_CONFIGS, ACL.IDEMPOTENT_WRITE, ACL.ALTER, ACL.DESCRIBE]); // 8096

export interface BrokerView {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** This broker as reachable on the listener the request came in on (else the first advertised one). */
export function brokerView(ctx: RequestContext): BrokerView {
  const { endpoints, nodeId } = ctx.services;
  const ep = endpoints.find((e) => e.listenerName === ctx.connection.listener.name) ?? endpoints[0];
  return { nodeId, host: ep?.host ?? '', port: ep?.port ?? -1, rack: null };
}

export function isInternal(topic: TopicInfo | string): boolean {
  return typeof topic === 'string' ? isInternalTopic(topic) : topic.internal || isInternalTopic(topic.name);
}

export interface PartitionView {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

/** Partition p of `topic`: led by us at its registry epoch, us as the only replica and ISR member. */
export function partitionView(services: BrokerServices, topic: TopicInfo, p: number): PartitionView {
  const id = services.nodeId;
  return { errorCode: 0, partitionIndex: p, leaderId: id, leaderEpoch: topic.leaderEpochs[p], replicaNodes: [id], isrNodes: [id], offlineReplicas: [] };
}

/** ConfigSource ids as DescribeConfigs / CreateTopics v5+ report them. */
export const CONFIG_SOURCE = { TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

export interface TopicConfigView {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
}

/**
 * Every topic config with its effective value, sorted by name, as CreateTopics v5+ returns it for a
 * new topic: an override is a topic config, a broker synonym set in the broker's configuration is a
 * static broker config, anything else the default. No topic config is sensitive or read-only.
 */
/** Topic configs whose broker default may come from more than one broker key. */
const EXTRA_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  'retention.ms': ['log.retention.minutes', 'log.retention.hours'],
  'segment.ms': ['log.roll.hours'],
  'flush.ms': ['log.flush.scheduler.interval.ms'],
};

export function topicConfigView(services: BrokerServices, overrides: Readonly<Record<string, string>>): TopicConfigView[] {
  const broker = services.config;
  return TOPIC_CONFIG_DEFS.map((def) => {
    const configSource =
      overrides[def.name] !== undefined
        ? CONFIG_SOURCE.TOPIC_CONFIG
        : [def.brokerSynonym, ...(EXTRA_SYNONYMS[def.name] ?? [])].some((k) => k !== null && broker.isSet(k))
          ? CONFIG_SOURCE.STATIC_BROKER_CONFIG
          : CONFIG_SOURCE.DEFAULT_CONFIG;
    return { name: def.name, value: formatValue(effectiveTopicConfig(def.name, overrides, broker)), readOnly: false, configSource, isSensitive: false };
  }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
