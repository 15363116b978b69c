/**
 * The file storage engine: Kafka's on-disk layout under one data directory.
 *   <dataDir>/<topic>-<partition>/<20-digit base>.log|.index|.timeindex
 *   <dataDir>/recovery-point-offset-checkpoint   fsynced offset per partition (Kafka format)
 *   <dataDir>/log-start-offset-checkpoint        log start offset per partition (Kafka format)
 *   <dataDir>/.brook-clean-shutdown              written by close(), removed by open()
 *   <dataDir>/cleaner-offset-checkpoint          how far each compacted log is cleaned (compaction/)
 * open() without the clean-shutdown marker recovers every partition past its recovery point.
 * A timer flushes per flush.ms and checkpoints recovery points and indexes periodically.
 */
import { ReadBufferPool } from '../read-lease.js';
import type { Logger } from 'pino';
import { DEFAULT_LOG_CONFIG, type LogConfig, type PartitionLog, type StorageEngine } from '../engine.js';
import {
  LOG_START_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT,
  readCheckpoint,
  writeCheckpoint,
  type CheckpointMap,
} from './checkpoint.js';
import { LogCleaner } from '../compaction/manager.js';
import { nodeFs, type StorageFs } from './fs.js';
import { emptyStats, loadSegments, type RecoveryStats } from './load.js';
import { FilePartitionLog } from './partition-log.js';
import { TailCacheBudget } from './tail-cache.js';
import { SYNC_WRITE_MAX_BYTES, SyncWrites } from './writer.js';

export const CLEAN_SHUTDOWN_MARKER = '.brook-clean-shutdown';
const PARTITION_DIR = /^(.+)-(\d+)$/;

export interface FileEngineOptions {
  dataDir: string;
  fs?: StorageFs;
  logger?: Logger;
  now?: () => number;
  /** Recent bytes per partition served from memory (default 4 MiB). */
  tailCacheBytes?: number;
  /** Recent bytes over all partitions served from memory, least recently used evicted first (default 8 MiB). */
  tailCacheTotalBytes?: number;
  /** Config for partitions found at open until createPartition/updateConfig supplies theirs. */
  defaultConfig?: LogConfig;
  /** How often flush.ms is checked (default 1 s); 0 disables the timer (tests call tick()). */
  tickMs?: number;
  /** How often recovery points and active indexes are checkpointed (default 30 s). */
  checkpointIntervalMs?: number;
  /** Appends up to this many bytes are written on the JS thread, larger ones by the thread pool (default 1 MiB). */
  syncWriteMaxBytes?: number;
}

export class FileStorageEngine implements StorageEngine {
  readonly fs: StorageFs;
  private readonly logs = new Map<string, FilePartitionLog>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private lastCheckpointAt = 0;
  private logStartDirty = false;
  private opened = false;
  private cleaner: LogCleaner | null = null;
  /** Shared by every partition's tail cache. */
  readonly tailCacheBudget: TailCacheBudget;
  /** Lends the Fetch path its disk read buffers (see src/storage/read-lease.ts). */
  readonly readPool = new ReadBufferPool();
  /** Which appends are written on the JS thread (see writer.ts). */
  readonly syncWrites: SyncWrites;
  /** What the last open() did: whether it trusted a clean shutdown and how much it scanned. */
  lastOpen: { clean: boolean; stats: RecoveryStats } = { clean: true, stats: emptyStats() };

  constructor(private readonly opts: FileEngineOptions) {
    this.fs = opts.fs ?? nodeFs;
    this.now = opts.now ?? Date.now;
    this.tailCacheBudget = new TailCacheBudget(opts.tailCacheTotalBytes ?? 8 * 1024 * 1024);
    this.syncWrites = new SyncWrites(opts.syncWriteMaxBytes ?? SYNC_WRITE_MAX_BYTES, this.now, opts.logger);
  }

  private path(name: string): string {
    return `${this.opts.dataDir}/${name}`;
  }

  async open(): Promise<void> {
    const fs = this.fs;
    await fs.mkdir(this.opts.dataDir);
    const marker = this.path(CLEAN_SHUTDOWN_MARKER);
    const clean = (await fs.size(marker)) !== null;
    if (clean) {
      await fs.unlink(marker);
      await fs.syncDir(this.opts.dataDir);
    }
    const recovery = await readCheckpoint(fs, this.path(RECOVERY_POINT_CHECKPOINT));
    const starts = await readCheckpoint(fs, this.path(LOG_START_CHECKPOINT));
    const stats = emptyStats();
    for (const name of await fs.readdir(this.opts.dataDir)) {
      const m = PARTITION_DIR.exec(name);
      if (!m || !(await fs.isDirectory(this.path(name)))) continue;
      const config = this.opts.defaultConfig ?? DEFAULT_LOG_CONFIG;
      const log = await this.loadLog(m[1], Number(m[2]), config, clean ? null : (recovery.get(name) ?? 0), starts, stats);
      this.logs.set(name, log);
    }
    this.cleaner = new LogCleaner({ fs, dataDir: this.opts.dataDir, logs: () => [...this.logs.values()], logger: this.opts.logger });
    await this.cleaner.load();
    this.lastOpen = { clean, stats };
    if (!clean) this.opts.logger?.info({ ...stats }, 'recovered logs after an unclean shutdown');
    this.opened = true;
    this.lastCheckpointAt = this.now();
    const tickMs = this.opts.tickMs ?? 1000;
    if (tickMs > 0) {
      this.timer = setInterval(() => void this.tick(this.now()).catch((e) => this.opts.logger?.error(e)), tickMs);
      this.timer.unref();
    }
  }

  private async loadLog(
    topic: string,
    partition: number,
    config: LogConfig,
    recoveryPoint: number | null,
    starts: CheckpointMap,
    stats: RecoveryStats,
  ): Promise<FilePartitionLog> {
    const dir = this.path(`${topic}-${partition}`);
    const logStart = starts.get(`${topic}-${partition}`) ?? 0;
    const segments = await loadSegments(this.fs, dir, {
      recoveryPoint,
      emptyBase: logStart,
      indexIntervalBytes: config.indexIntervalBytes,
      now: this.now(),
      stats,
      logger: this.opts.logger,
    });
    return new FilePartitionLog(topic, partition, dir, config, segments, logStart, {
      fs: this.fs,
      now: this.now,
      tailCacheBytes: this.opts.tailCacheBytes ?? 4 * 1024 * 1024,
      tailCacheBudget: this.tailCacheBudget,
      readPool: this.readPool,
      syncWrites: this.syncWrites,
      onLogStartChanged: () => {
        this.logStartDirty = true;
        void this.writeLogStarts().catch((e) => this.opts.logger?.error(e, 'log start checkpoint failed'));
      },
      onFailure: (log, e) => this.opts.logger?.error({ partition: log.name, err: e }, 'log failed'),
    });
  }

  /** Periodic duties: flush.ms, and every checkpointIntervalMs the recovery points and indexes. */
  async tick(now: number): Promise<void> {
    for (const log of this.logs.values()) await log.tick(now);
    if (now - this.lastCheckpointAt >= (this.opts.checkpointIntervalMs ?? 30_000)) {
      this.lastCheckpointAt = now;
      for (const log of this.logs.values()) await log.writeIndexes();
      await this.writeRecoveryPoints();
    }
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    await this.cleaner?.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    let allClean = true;
    for (const log of this.logs.values()) {
      try {
        await log.close();
      } catch (e) {
        allClean = false;
        this.opts.logger?.error({ partition: log.name, err: e }, 'log close failed');
      }
      if (log.writer.failure) allClean = false;
    }
    await this.writeRecoveryPoints();
    await this.writeLogStarts(true);
    if (allClean) {
      const fd = await this.fs.open(this.path(CLEAN_SHUTDOWN_MARKER), 'w');
      await this.fs.fdatasync(fd);
      await this.fs.close(fd);
      await this.fs.syncDir(this.opts.dataDir);
    }
    this.logs.clear();
  }

  /** One log cleaner pass over the compacted logs (cleanup.policy contains compact). */
  async cleanLogs(now: number): Promise<number> {
    return this.opened && this.cleaner ? this.cleaner.cleanOnce(now) : 0;
  }

  partitions(): PartitionLog[] {
    return [...this.logs.values()];
  }

  getPartition(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(`${topic}-${partition}`);
  }

  async createPartition(topic: string, partition: number, config: LogConfig): Promise<PartitionLog> {
    const name = `${topic}-${partition}`;
    const existing = this.logs.get(name);
    if (existing) {
      existing.updateConfig(config);
      return existing;
    }
    await this.fs.mkdir(this.path(name));
    await this.fs.syncDir(this.opts.dataDir);
    const log = await this.loadLog(topic, partition, config, null, new Map(), emptyStats());
    this.logs.set(name, log);
    return log;
  }

  async deletePartition(topic: string, partition: number): Promise<void> {
    const name = `${topic}-${partition}`;
    const log = this.logs.get(name);
    this.logs.delete(name);
    if (log) await log.abandon();
    await this.fs.rmrf(this.path(name));
    await this.fs.syncDir(this.opts.dataDir);
    await this.writeRecoveryPoints();
    await this.writeLogStarts(true);
  }

  private async writeRecoveryPoints(): Promise<void> {
    const entries = [...this.logs.values()].map((l) => ({
      topic: l.topic,
      partition: l.partition,
      offset: l.recoveryPoint(),
    }));
    await writeCheckpoint(this.fs, this.path(RECOVERY_POINT_CHECKPOINT), entries);
  }

  private writingStarts: Promise<void> | null = null;

  /** Persists log start offsets; concurrent calls coalesce into one more write. */
  private async writeLogStarts(force = false): Promise<void> {
    if (force) this.logStartDirty = true;
    while (this.writingStarts) await this.writingStarts;
    if (!this.logStartDirty) return;
    this.logStartDirty = false;
    const entries = [...this.logs.values()].map((l) => ({
      topic: l.topic,
      partition: l.partition,
      offset: l.logStartOffset(),
    }));
    this.writingStarts = writeCheckpoint(this.fs, this.path(LOG_START_CHECKPOINT), entries);
    try {
      await this.writingStarts;
    } finally {
      this.writingStarts = null;
    }
  }
}
