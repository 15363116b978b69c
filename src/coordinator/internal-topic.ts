/**
 * An internal, compacted topic that a coordinator keeps its records in (__consumer_offsets,
 * __transaction_state): found if it exists, created on first use with the configured partition
 * count and segment size, and the key → partition rule Kafka uses for it.
 */
import type { BrokerConfig } from '../metadata/broker-config.js';
import type { TopicManager } from '../metadata/topics.js';
import type { PartitionLog, StorageEngine } from '../storage/engine.js';

/** Java's String.hashCode (UTF-16 code units). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's `Utils.abs(key.hashCode) % partitions` (Utils.abs maps Integer.MIN_VALUE to 0). */
export function partitionForKey(key: string, partitions: number): number {
  const h = javaStringHash(key);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

export interface InternalTopicSpec {
  name: string;
  /** Broker config key holding the partition count for a new topic. */
  partitionsConfig: string;
  /** Broker config key holding segment.bytes for a new topic. */
  segmentBytesConfig: string;
}

export class InternalTopic {
  private logs: PartitionLog[] | null = null;
  private creating: Promise<PartitionLog[]> | null = null;

  constructor(
    private readonly topics: TopicManager,
    private readonly storage: StorageEngine,
    private readonly config: BrokerConfig,
    readonly spec: InternalTopicSpec,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** The existing topic's partition count, else the configured one. */
  partitionCount(): number {
    return this.topics.get(this.spec.name)?.leaderEpochs.length ?? this.config.num(this.spec.partitionsConfig);
  }

  partitionFor(key: string): number {
    return partitionForKey(key, this.partitionCount());
  }

  leaderEpoch(partition: number): number {
    return this.topics.leaderEpoch(this.spec.name, partition) ?? 0;
  }

  /** The partition logs if the topic and all its logs exist (remembered once found), else null. */
  existing(): PartitionLog[] | null {
    if (this.logs) return this.logs;
    const t = this.topics.get(this.spec.name);
    if (!t) return null;
    const logs = t.leaderEpochs.map((_, p) => this.storage.getPartition(this.spec.name, p));
    if (!logs.every((l) => l !== undefined)) return null;
    this.logs = logs as PartitionLog[];
    return this.logs;
  }

  /** The partition logs, creating the topic first if needed; a failed creation is retried next time. */
  ensure(): Promise<PartitionLog[]> {
    const found = this.existing();
    if (found) return Promise.resolve(found);
    this.creating ??= (async () => {
      const { name } = this.spec;
      const r = await this.topics.createTopic(
        {
          name,
          numPartitions: this.config.num(this.spec.partitionsConfig),
          configs: [['cleanup.policy', 'compact'], ['segment.bytes', String(this.config.num(this.spec.segmentBytesConfig))]],
        },
        { internal: true },
      );
      if (r.errorCode !== 0 && !this.topics.get(name)) throw new Error(`cannot create ${name}: ${'message' in r ? r.message : r.errorCode}`);
      const logs = this.existing();
      if (!logs) throw new Error(`${name} has no partition logs`);
      return logs;
    })().finally(() => (this.creating = null));
    return this.creating;
  }
}
