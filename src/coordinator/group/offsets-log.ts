/**
 * The group coordinator's door to __consumer_offsets: creates the internal topic on first write
 * (offsets.topic.num.partitions partitions, compacted, as Kafka does), appends coordinator records
 * (acks=all: the promise settles once they are fsynced) and replays every partition at start.
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../../metadata/broker-config.js';
import type { TopicManager } from '../../metadata/topics.js';
import type { PartitionLog, StorageEngine } from '../../storage/engine.js';
import { replayPartition, toBatch } from './persistence.js';
import { partitionFor } from './records.js';
import type { CoordinatorRecord, CoordinatorState } from './types.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

export class OffsetsLog {
  private logs: PartitionLog[] | null = null;
  private creating: Promise<PartitionLog[]> | null = null;

  constructor(
    private readonly topics: TopicManager,
    private readonly storage: StorageEngine,
    private readonly config: BrokerConfig,
    private readonly logger: Logger,
  ) {}

  partitionCount(): number {
    return this.topics.get(OFFSETS_TOPIC)?.leaderEpochs.length ?? this.config.num('offsets.topic.num.partitions');
  }

  partitionFor(groupId: string): number {
    return partitionFor(groupId, this.partitionCount());
  }

  private existing(): PartitionLog[] | null {
    const t = this.topics.get(OFFSETS_TOPIC);
    if (!t) return null;
    const logs = t.leaderEpochs.map((_, p) => this.storage.getPartition(OFFSETS_TOPIC, p));
    return logs.every((l) => l !== undefined) ? (logs as PartitionLog[]) : null;
  }

  private ensure(): Promise<PartitionLog[]> {
    if (this.logs) return Promise.resolve(this.logs);
    this.creating ??= (async () => {
      if (!this.existing()) {
        const r = await this.topics.createTopic(
          {
            name: OFFSETS_TOPIC,
            numPartitions: this.config.num('offsets.topic.num.partitions'),
            configs: [['cleanup.policy', 'compact'], ['segment.bytes', String(this.config.num('offsets.topic.segment.bytes'))]],
          },
          { internal: true },
        );
        if (r.errorCode !== 0 && !this.topics.get(OFFSETS_TOPIC)) throw new Error(`cannot create ${OFFSETS_TOPIC}: ${'message' in r ? r.message : r.errorCode}`);
      }
      const logs = this.existing();
      if (!logs) throw new Error(`${OFFSETS_TOPIC} has no partition logs`);
      this.logs = logs;
      return logs;
    })().finally(() => (this.creating = null));
    return this.creating;
  }

  /**
   * Appends the records of one group as one batch. Once the topic exists offsets are taken
   * synchronously, so appends keep call order; settles when the batch is on disk.
   */
  async append(groupId: string, records: readonly CoordinatorRecord[], now: number): Promise<void> {
    if (records.length === 0) return;
    const logs = this.logs ?? (await this.ensure());
    const p = partitionFor(groupId, logs.length);
    const epoch = this.topics.leaderEpoch(OFFSETS_TOPIC, p) ?? 0;
    await logs[p].append([toBatch(records, now)], epoch, 'synced');
  }

  /** Replays every partition into `state` (nothing when the topic does not exist yet). */
  async replay(state: CoordinatorState, now: number): Promise<number> {
    const logs = this.existing();
    if (!logs) return 0;
    this.logs = logs;
    let n = 0;
    for (const log of logs) {
      n += await replayPartition(log, state, now, (err) => this.logger.warn({ err, topic: OFFSETS_TOPIC, partition: log.partition }, 'skipping an unreadable __consumer_offsets batch'));
    }
    return n;
  }
}
