/**
 * Topic operations for handlers (CreateTopics, DeleteTopics, CreatePartitions, AlterConfigs, Metadata
 * auto-creation): validates with Kafka's error codes, records the change in the registry (on disk
 * first) and then creates or deletes the partition logs in storage. Errors are returned as data.
 */
import type { Logger } from 'pino';
import { ErrorCode } from '../protocol/errors.js';
import type { LogConfig, StorageEngine } from '../storage/engine.js';
import type { BrokerConfig } from './broker-config.js';
import { toLogConfig, type TopicConfigOverrides, validateTopicConfigs } from './topic-config.js';
import { invalidTopicReason } from './topic-names.js';
import type { TopicInfo, TopicRegistry } from './topic-registry.js';

export interface CreateTopicSpec {
  name: string;
  /** -1 (or undefined): num.partitions. */
  numPartitions?: number;
  /** -1 (or undefined): default.replication.factor. */
  replicationFactor?: number;
  /** Manual assignment (CreateTopics `assignments`): partition index → broker ids. */
  assignments?: ReadonlyArray<{ partitionIndex: number; brokerIds: readonly number[] }>;
  configs?: Iterable<[string, string | null]>;
}

export interface TopicError {
  errorCode: number;
  message: string;
}
export type TopicResult = { errorCode: 0; topic: TopicInfo } | TopicError;

/** Kafka's controller caps one operation at 10000 metadata records; a partition is one record. */
export const MAX_PARTITIONS_PER_OP = 10_000;
const tooMany = (n: number) => `Unable to create ${n} partitions in one operation: the maximum is ${MAX_PARTITIONS_PER_OP}.`;

const fail = (errorCode: number, message: string): TopicError => ({ errorCode, message });

export class TopicManager {
  private readonly autoCreating = new Map<string, Promise<TopicResult>>();

  constructor(
    readonly registry: TopicRegistry,
    private readonly storage: StorageEngine,
    private readonly config: BrokerConfig,
    private readonly logger: Logger,
  ) {}

  /** Brings storage in line with the registry after a restart (missing partitions, stray logs). */
  async open(): Promise<void> {
    for (const t of this.registry.list()) {
      const logConfig = this.logConfig(t.name);
      for (let p = 0; p < t.leaderEpochs.length; p++) {
        const log = this.storage.getPartition(t.name, p);
        if (log) log.updateConfig(logConfig); // storage opened it with the broker defaults
        else await this.storage.createPartition(t.name, p, logConfig);
      }
    }
    const strays = this.storage.partitions().filter((l) => (this.registry.get(l.topic)?.leaderEpochs.length ?? 0) <= l.partition);
    if (strays.length === 0) return;
    if (this.registry.existed) {
      for (const l of strays) {
        this.logger.warn({ topic: l.topic, partition: l.partition }, 'deleting a partition log of a deleted topic');
        await this.storage.deletePartition(l.topic, l.partition);
      }
      return;
    }
    // No registry file but logs on disk (a data dir from before the registry, or a lost file): adopt them.
    const counts = new Map<string, number>();
    for (const l of strays) counts.set(l.topic, Math.max(counts.get(l.topic) ?? 0, l.partition + 1));
    for (const [name, n] of counts) {
      this.logger.warn({ topic: name, partitions: n }, 'adopting partition logs found without topic metadata');
      await this.registry.create(name, n, {}).persisted;
      for (let p = 0; p < n; p++) if (!this.storage.getPartition(name, p)) await this.storage.createPartition(name, p, this.logConfig(name));
    }
  }

  get(name: string): TopicInfo | undefined {
    return this.registry.get(name);
  }
  getById(topicId: string): TopicInfo | undefined {
    return this.registry.getById(topicId);
  }
  list(): TopicInfo[] {
    return this.registry.list();
  }
  leaderEpoch(name: string, partition: number): number | undefined {
    return this.registry.leaderEpoch(name, partition);
  }
  /** The LogConfig the topic's partitions use (broker defaults + topic overrides). */
  logConfig(name: string): LogConfig {
    return toLogConfig(this.registry.get(name)?.configs ?? {}, this.config);
  }

  /** Validates a creation without changing anything; returns the resolved count and configs. */
  checkCreate(spec: CreateTopicSpec): TopicError | { partitions: number; configs: TopicConfigOverrides } {
    const { name } = spec;
    const invalid = invalidTopicReason(name);
    if (invalid) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name is invalid: ${invalid}`);
    if (this.registry.has(name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    const colliding = this.registry.collisions(name);
    if (colliding.length > 0) {
      return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${colliding.sort()[0]}`);
    }
    const numPartitions = spec.numPartitions ?? -1;
    const replicationFactor = spec.replicationFactor ?? -1;
    let partitions: number;
    if (spec.assignments && spec.assignments.length > 0) {
      // KRaft's checks and messages (ReplicationControlManager).
      if (replicationFactor !== -1) {
        return fail(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replication factor was not set to -1.');
      }
      if (numPartitions !== -1) {
        return fail(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.');
      }
      const indexes = spec.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
      if (indexes.some((p, i) => p !== i)) {
        return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence');
      }
      for (const a of spec.assignments) {
        const bad = this.checkReplicas(a.brokerIds);
        if (bad) return bad;
      }
      partitions = indexes.length;
    } else {
      if (numPartitions === 0 || numPartitions < -1) {
        return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
      }
      if (replicationFactor === 0 || replicationFactor < -1) {
        return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
      }
      const rf = replicationFactor === -1 ? this.config.num('default.replication.factor') : replicationFactor;
      if (rf > 1) {
        return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`);
      }
      partitions = numPartitions === -1 ? this.config.num('num.partitions') : numPartitions;
    }
    if (partitions > MAX_PARTITIONS_PER_OP) return fail(ErrorCode.INVALID_PARTITIONS, tooMany(partitions));
    const cfg = validateTopicConfigs(spec.configs ?? []);
    if (!cfg.ok) return fail(cfg.errorCode, cfg.message);
    return { partitions, configs: cfg.configs };
  }

  /** A manual replica list: exactly this broker (one node, so one replica), as KRaft words the errors. */
  private checkReplicas(brokerIds: readonly number[]): TopicError | null {
    if (brokerIds.length === 0) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.');
    const seen = new Set<number>();
    for (const id of brokerIds) {
      if (seen.has(id)) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${id} more than once.`);
      seen.add(id);
      if (id !== this.config.nodeId) {
        return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${id}, but no such broker is registered.`);
      }
    }
    return null;
  }

  /**
   * Creates a topic and its partition logs. `internal` topics (__consumer_offsets, ...) skip the
   * replication factor check, as a single node always serves them with one replica.
   */
  async createTopic(spec: CreateTopicSpec, opts: { validateOnly?: boolean; internal?: boolean } = {}): Promise<TopicResult> {
    const checked = this.checkCreate(opts.internal ? { ...spec, replicationFactor: -1 } : spec);
    if ('errorCode' in checked) return checked;
    if (opts.validateOnly) {
      const preview: TopicInfo = { name: spec.name, topicId: '0'.repeat(32), leaderEpochs: new Array(checked.partitions).fill(0), configs: checked.configs, internal: !!opts.internal, createdAtMs: Date.now() };
      return { errorCode: 0, topic: preview };
    }
    const { topic, persisted } = this.registry.create(spec.name, checked.partitions, checked.configs, !!opts.internal);
    await persisted;
    const logConfig = this.logConfig(topic.name);
    for (let p = 0; p < checked.partitions; p++) await this.storage.createPartition(topic.name, p, logConfig);
    this.logger.info({ topic: topic.name, topicId: topic.topicId, partitions: checked.partitions }, 'created topic');
    return { errorCode: 0, topic };
  }

  /**
   * Creates the topic with broker defaults when auto.create.topics.enable allows it (Metadata, Produce).
   * Concurrent calls for one name share the creation, so none answers before the partitions exist.
   */
  async autoCreate(name: string): Promise<TopicResult> {
    if (!this.config.bool('auto.create.topics.enable')) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist`);
    const pending = this.autoCreating.get(name);
    if (pending) return pending;
    const existing = this.registry.get(name);
    if (existing) return { errorCode: 0, topic: existing };
    const creation = this.createTopic({ name }).finally(() => this.autoCreating.delete(name));
    this.autoCreating.set(name, creation);
    return creation;
  }

  async deleteTopic(name: string): Promise<TopicError | { errorCode: 0; topic: TopicInfo }> {
    if (!this.config.bool('delete.topic.enable')) return fail(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
    const { topic, persisted } = this.registry.delete(name);
    if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    await persisted;
    for (let p = 0; p < topic.leaderEpochs.length; p++) await this.storage.deletePartition(name, p);
    this.logger.info({ topic: name, topicId: topic.topicId }, 'deleted topic');
    return { errorCode: 0, topic };
  }

  async deleteTopicById(topicId: string): Promise<TopicError | { errorCode: 0; topic: TopicInfo }> {
    const t = this.registry.getById(topicId);
    if (!t) return fail(ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.');
    return this.deleteTopic(t.name);
  }

  /**
   * CreatePartitions: grows `name` to `count` partitions. `assignments`, when given, must hold one
   * replica list per new partition (KRaft's checks and messages).
   */
  async createPartitions(name: string, count: number, validateOnly = false, assignments?: ReadonlyArray<readonly number[]> | null): Promise<TopicResult> {
    const t = this.registry.get(name);
    if (!t) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    const current = t.leaderEpochs.length;
    if (count === current) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
    if (count < current) return fail(ErrorCode.INVALID_PARTITIONS, `The topic ${name} currently has ${current} partition(s); ${count} would not be an increase.`);
    if (count - current > MAX_PARTITIONS_PER_OP) return fail(ErrorCode.INVALID_PARTITIONS, tooMany(count - current));
    if (assignments) {
      if (assignments.length !== count - current) {
        return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Attempted to add ${count - current} additional partition(s), but only ${assignments.length} assignment(s) were specified.`);
      }
      for (const a of assignments) {
        const bad = this.checkReplicas(a);
        if (bad) return bad;
      }
    }
    if (validateOnly) return { errorCode: 0, topic: t };
    const { topic, persisted } = this.registry.addPartitions(name, count);
    await persisted;
    const logConfig = this.logConfig(name);
    for (let p = current; p < count; p++) await this.storage.createPartition(name, p, logConfig);
    return { errorCode: 0, topic };
  }

  /** Replaces the topic's overrides (AlterConfigs semantics) and applies them to its partition logs. */
  async setTopicConfigs(name: string, entries: Iterable<[string, string | null]>, validateOnly = false): Promise<TopicResult> {
    if (!this.registry.get(name)) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    const cfg = validateTopicConfigs(entries);
    if (!cfg.ok) return fail(cfg.errorCode, cfg.message);
    if (validateOnly) return { errorCode: 0, topic: this.registry.get(name)! };
    const { topic, persisted } = this.registry.setConfigs(name, cfg.configs);
    await persisted;
    const logConfig = this.logConfig(name);
    for (let p = 0; p < topic.leaderEpochs.length; p++) this.storage.getPartition(name, p)?.updateConfig(logConfig);
    return { errorCode: 0, topic };
  }
}
