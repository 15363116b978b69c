/**
 * The storage contract. Everything above src/storage talks to partition logs only through
 * these interfaces, so a shared-database engine (PostgreSQL) can replace the file engine.
 *
 * Offsets are JavaScript numbers here (exact up to 2^53); the codec's bigints are converted
 * at the handler boundary. Batches are v2 RecordBatch bytes, validated by the caller.
 */
import type { ReadLease } from './read-lease.js';
import type { DeferredBytes } from '../protocol/primitives/index.js';

export interface LogConfig {
  segmentBytes: number; // segment.bytes
  segmentMs: number; // segment.ms (roll a segment older than this)
  retentionMs: number; // retention.ms, -1 = forever
  retentionBytes: number; // retention.bytes, -1 = unlimited
  indexIntervalBytes: number; // index.interval.bytes
  flushIntervalMessages: number; // flush.messages (fsync after this many unflushed records)
  flushIntervalMs: number; // flush.ms
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  // Compaction (optional so older callers keep compiling; absent = DEFAULT_LOG_CONFIG's value).
  cleanupPolicy?: CleanupPolicy[]; // cleanup.policy
  deleteRetentionMs?: number; // delete.retention.ms: how long tombstones and empty txn markers outlive a clean
  minCleanableDirtyRatio?: number; // min.cleanable.dirty.ratio
  minCompactionLagMs?: number; // min.compaction.lag.ms
  maxCompactionLagMs?: number; // max.compaction.lag.ms
}

export type CleanupPolicy = 'delete' | 'compact';

export const DEFAULT_LOG_CONFIG: LogConfig = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  flushIntervalMessages: Number.MAX_SAFE_INTEGER,
  flushIntervalMs: Number.MAX_SAFE_INTEGER,
  messageTimestampType: 'CreateTime',
  cleanupPolicy: ['delete'],
  deleteRetentionMs: 24 * 3600 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
};

/** Whether retention by time and size applies (cleanup.policy contains delete; the default). */
export function retentionApplies(config: LogConfig): boolean {
  return (config.cleanupPolicy ?? ['delete']).includes('delete');
}

/** Whether the log cleaner compacts this log (cleanup.policy contains compact). */
export function compactionApplies(config: LogConfig): boolean {
  return (config.cleanupPolicy ?? []).includes('compact');
}


/** How far an append must get before its promise resolves. */
export type Durability =
  | 'none' // acks=0: queued in order, nobody waits
  | 'written' // acks=1: the OS has the bytes (write returned)
  | 'synced'; // acks=all: fsynced (group commit: one fsync for every waiter)

export interface AppendBatch {
  /**
   * One v2 batch, CRC already checked. The engine sets its baseOffset and partitionLeaderEpoch (in
   * place, or in the copy it keeps).
   * It may be a view of a request frame that is reused once the append's promise settles (for
   * durability 'written' or 'synced'): an engine copies whatever it keeps in memory.
   */
  buf: Buffer;
  /** Number of offsets the batch spans: lastOffsetDelta + 1. */
  offsetCount: number;
  /** The batch's maxTimestamp (after any LogAppendTime rewrite by the caller). */
  maxTimestamp: number;
}

export interface AppendResult {
  baseOffset: number; // offset of the first record of the first batch
  lastOffset: number;
  logStartOffset: number;
}

/** `C` is RecordChunk for reads under a lease that allows file spans. */
export interface ReadResult<C extends RecordChunk = Buffer> {
  /** Whole batches, starting with the one that contains the requested offset. Slices, no copies where possible. */
  chunks: C[];
  bytes: number;
}

/**
 * Whole batches still in a segment file, not read: the connection streams them to the socket
 * (src/storage/file/file-span.ts). Holds the file open until the lease it was made under is released.
 */
export interface RecordSpan extends DeferredBytes {
  /** At or above the offset of the last record in the span. */
  readonly lastOffsetBound: number;
}

export type RecordChunk = Buffer | RecordSpan;

export interface TimestampLookup {
  offset: number;
  timestamp: number;
}

export interface PartitionLog {
  readonly topic: string;
  readonly partition: number;
  /** First offset still readable. */
  logStartOffset(): number;
  /** Offset the next appended record will get (the high watermark on a single replica). */
  logEndOffset(): number;
  /** Total bytes of all segments. */
  sizeBytes(): number;
  /**
   * Appends batches in order. Offsets are assigned synchronously, before the first await, so
   * concurrent callers get consecutive ranges in call order. The promise settles at `durability`.
   */
  append(batches: AppendBatch[], leaderEpoch: number, durability: Durability): Promise<AppendResult>;
  /**
   * Batches from `offset` on, whole: the first batch is returned even if larger than maxBytes
   * (KIP-74) when `minOneBatch`; later batches only while the total stays within maxBytes.
   * offset must be within [logStartOffset, logEndOffset]; at logEndOffset the result is empty.
   * With a lease, buffers read from disk may be borrowed from a pool under it, and with
   * `lease.spans` large disk reads may be left as RecordSpans: the caller must not touch the chunks
   * after releasing it.
   */
  read(offset: number, maxBytes: number, minOneBatch: boolean): Promise<ReadResult>;
  read(offset: number, maxBytes: number, minOneBatch: boolean, lease: ReadLease | undefined): Promise<ReadResult<RecordChunk>>;
  /** Earliest offset whose batch maxTimestamp >= timestamp (ListOffsets by time), or null. */
  offsetForTimestamp(timestamp: number): Promise<TimestampLookup | null>;
  /** The largest timestamp in the log and its offset (ListOffsets MAX_TIMESTAMP), or null when empty. */
  maxTimestamp(): Promise<TimestampLookup | null>;
  /** Moves the log start offset forward (DeleteRecords), dropping whole segments below it. */
  deleteRecordsBefore(offset: number): Promise<void>;
  /** Applies retention.ms / retention.bytes; returns how many segments were deleted. */
  applyRetention(now: number): Promise<number>;
  updateConfig(config: LogConfig): void;
  /** Called back whenever new data was appended (wakes long-polling fetches). */
  onAppend(listener: () => void): () => void;
}

export interface StorageEngine {
  /** Loads (and, after an unclean stop, recovers) every existing partition. */
  open(): Promise<void>;
  /** Flushes, writes the clean-shutdown marker and closes every file. */
  close(): Promise<void>;
  partitions(): PartitionLog[];
  getPartition(topic: string, partition: number): PartitionLog | undefined;
  createPartition(topic: string, partition: number, config: LogConfig): Promise<PartitionLog>;
  deletePartition(topic: string, partition: number): Promise<void>;
  /**
   * Optional: one pass of the log cleaner over the logs whose cleanup.policy contains compact
   * (engines without compaction leave it out). Returns how many logs were cleaned.
   */
  cleanLogs?(now: number): Promise<number>;
}
