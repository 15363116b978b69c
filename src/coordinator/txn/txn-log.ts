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

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

export interface TxnLogRecord {
  key: Buffer;
  value: Buffer | null;
}

/** Java's String.hashCode (UTF-16 code units), as Kafka's partitionFor uses. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

export class TxnLog {
  private logs: PartitionLog[] | null = null;
  private creating: Promise<PartitionLog[]> | null = null;

  constructor(
    private readonly topics: TopicManager,
    private readonly storage: StorageEngine,
    private readonly config: BrokerConfig,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Partition count: the existing topic's, else the configured one. */
  partitionCount(): number {
    return this.topics.get(TRANSACTION_STATE_TOPIC)?.leaderEpochs.length ?? this.config.num('transaction.state.log.num.partitions');
  }

  partitionFor(transactionalId: string): number {
    return Math.abs(javaStringHash(transactionalId) % this.partitionCount());
  }

  /** The coordinator epoch for a partition (its leader epoch). */
  coordinatorEpoch(partition: number): number {
    return this.topics.leaderEpoch(TRANSACTION_STATE_TOPIC, partition) ?? 0;
  }

  private existing(): PartitionLog[] | null {
    const t = this.topics.get(TRANSACTION_STATE_TOPIC);
    if (!t) return null;
    const logs = t.leaderEpochs.map((_, p) => this.storage.getPartition(TRANSACTION_STATE_TOPIC, p));
    return logs.every((l) => l !== undefined) ? (logs as PartitionLog[]) : null;
  }

  private ensure(): Promise<PartitionLog[]> {
    if (this.logs) return Promise.resolve(this.logs);
    this.creating ??= (async () => {
      let logs = this.existing();
      if (!logs) {
        const r = await this.topics.createTopic(
          {
            name: TRANSACTION_STATE_TOPIC,
            numPartitions: this.config.num('transaction.state.log.num.partitions'),
            configs: [['cleanup.policy', 'compact'], ['segment.bytes', String(this.config.num('transaction.state.log.segment.bytes'))]],
          },
          { internal: true },
        );
        if (r.errorCode !== 0 && !this.topics.get(TRANSACTION_STATE_TOPIC)) throw new Error(`cannot create ${TRANSACTION_STATE_TOPIC}: ${'message' in r ? r.message : r.errorCode}`);
        logs = this.existing();
        if (!logs) throw new Error(`${TRANSACTION_STATE_TOPIC} has no partition logs`);
      }
      this.logs = logs;
      return logs;
    })();
    return this.creating;
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
    return this.logs ? go(this.logs) : this.ensure().then(go);
  }

  /** Every record of every partition, partition by partition in log order (nothing if the topic does not exist yet). */
  async *replay(): AsyncGenerator<TxnLogRecord & { partition: number }> {
    const logs = this.existing();
    if (!logs) return;
    this.logs = logs;
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
