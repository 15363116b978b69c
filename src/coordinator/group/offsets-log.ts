/**
 * The group coordinator's door to __consumer_offsets: creates the internal topic on first write
 * (offsets.topic.num.partitions partitions, compacted, as Kafka does), appends coordinator records
 * (acks=all: the promise settles once they are fsynced) and replays every partition at start.
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../../metadata/broker-config.js';
import type { TopicManager } from '../../metadata/topics.js';
import type { StorageEngine } from '../../storage/engine.js';
import { replayPartition, toBatch } from './persistence.js';
import { InternalTopic, partitionForKey } from '../internal-topic.js';
import type { CoordinatorRecord, CoordinatorState } from './types.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

export class OffsetsLog {
  private readonly topic: InternalTopic;

  constructor(
    topics: TopicManager,
    storage: StorageEngine,
    config: BrokerConfig,
    private readonly logger: Logger,
  ) {
    this.topic = new InternalTopic(topics, storage, config, {
      name: OFFSETS_TOPIC,
      partitionsConfig: 'offsets.topic.num.partitions',
      segmentBytesConfig: 'offsets.topic.segment.bytes',
    });
  }

  partitionCount(): number {
    return this.topic.partitionCount();
  }

  partitionFor(groupId: string): number {
    return this.topic.partitionFor(groupId);
  }

  /**
   * Appends the records of one group as one batch. Once the topic exists offsets are taken
   * synchronously, so appends keep call order; settles when the batch is on disk.
   */
  async append(groupId: string, records: readonly CoordinatorRecord[], now: number): Promise<void> {
    if (records.length === 0) return;
    const logs = this.topic.existing() ?? (await this.topic.ensure());
    const p = partitionForKey(groupId, logs.length);
    await logs[p].append([toBatch(records, now)], this.topic.leaderEpoch(p), 'synced');
  }

  /** Replays every partition into `state` (nothing when the topic does not exist yet). */
  async replay(state: CoordinatorState, now: number): Promise<number> {
    const logs = this.topic.existing();
    if (!logs) return 0;
    let n = 0;
    for (const log of logs) {
      n += await replayPartition(log, state, now, (err) => this.logger.warn({ err, topic: OFFSETS_TOPIC, partition: log.partition }, 'skipping an unreadable __consumer_offsets batch'));
    }
    return n;
  }
}
