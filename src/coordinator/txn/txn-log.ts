/**
 * The transaction coordinator's durable state: records in the internal topic __transaction_state
 * (created on first use with transaction.state.log.num.partitions partitions, compacted policy so
 * retention never deletes it). A transactional id lives in partition abs(javaHash(id)) % n, as in
 * Kafka; producer id blocks live in partition 0. Appends are acks=all ('synced').
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../../metadata/broker-config.js';
import type { TopicManager } from '../../metadata/topics.js';
import { BASE_OFFSET, batches, buildRecordBatch, iterateRecords } from '../../protocol/records/index.js';
import type { PartitionLog, StorageEngine } from '../../storage/engine.js';
import { InternalTopic } from '../internal-topic.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

export interface TxnLogRecord {
  key: Buffer;
  value: Buffer | null;
}


export class TxnLog {
  private readonly topic: InternalTopic;

  constructor(
    topics: TopicManager,
    storage: StorageEngine,
    config: BrokerConfig,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.topic = new InternalTopic(topics, storage, config, {
      name: TRANSACTION_STATE_TOPIC,
      partitionsConfig: 'transaction.state.log.num.partitions',
      segmentBytesConfig: 'transaction.state.log.segment.bytes',
    });
  }

  /** Partition count: the existing topic's, else the configured one. */
  partitionCount(): number {
    return this.topic.partitionCount();
  }

  /** Kafka's Utils.abs(transactionalId.hashCode) % partitions. */
  partitionFor(transactionalId: string): number {
    return this.topic.partitionFor(transactionalId);
  }

  /** The coordinator epoch for a partition (its leader epoch). */
  coordinatorEpoch(partition: number): number {
    return this.topic.leaderEpoch(partition);
  }

  /**
   * Appends records to a partition. When the topic exists the offsets are taken synchronously, so
   * appends keep call order; the promise settles once the records are on disk.
   */
  append(partition: number, records: TxnLogRecord[]): Promise<void> {
    const now = this.now();
    const go = (logs: PartitionLog[]) => {
      const buf = buildRecordBatch({ records: records.map((r) => ({ key: r.key, value: r.value, timestamp: now })) });
      const leaderEpoch = this.coordinatorEpoch(partition);
      return logs[partition]!.append([{ buf, offsetCount: records.length, maxTimestamp: now }], leaderEpoch, 'synced').then(() => undefined);
    };
    const logs = this.topic.existing();
    return logs ? go(logs) : this.topic.ensure().then(go);
  }

  /** Every record of every partition, partition by partition in log order (nothing if the topic does not exist yet). */
  async *replay(): AsyncGenerator<TxnLogRecord & { partition: number }> {
    const logs = this.topic.existing();
    if (!logs) return;
    for (let p = 0; p < logs.length; p++) {
      const log = logs[p]!;
      let offset = log.logStartOffset();
      while (offset < log.logEndOffset()) {
        const { chunks } = await log.read(offset, 1 << 20, true);
        if (chunks.length === 0) break;
        const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const start = offset;
        for (const b of batches(buf)) {
          if (b.partial || b.magic !== 2) break;
          if (Number(buf.readBigInt64BE(b.pos + BASE_OFFSET)) < start) continue;
          for (const r of iterateRecords(buf, b.pos)) {
            offset = Number(r.offset) + 1;
            if (r.key) yield { partition: p, key: r.key, value: r.value };
          }
        }
        if (offset === start) {
          this.logger.warn({ partition: p, offset }, 'transaction log replay made no progress; stopping');
          break;
        }
      }
    }
  }
}
