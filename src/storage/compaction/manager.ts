/**
 * The log cleaner of one file engine (Kafka's LogCleaner/LogCleanerManager, one thread): each
 * pass picks the logs with cleanup.policy=compact whose dirty ratio reached
 * min.cleanable.dirty.ratio, whose oldest dirty data is older than max.compaction.lag.ms, or whose
 * earliest tombstone/marker delete horizon has passed, and cleans them filthiest first, one at a
 * time. How far each log is clean is kept in <dataDir>/cleaner-offset-checkpoint (Kafka's name and
 * format). Delete horizons are remembered in memory; after a restart each compacted log gets one
 * pass to learn them (a pass that changes nothing rewrites nothing).
 */
import type { Logger } from 'pino';
import { compactionApplies } from '../engine.js';
import { readCheckpoint, writeCheckpoint, type CheckpointMap } from '../file/checkpoint.js';
import type { StorageFs } from '../file/fs.js';
import type { FilePartitionLog } from '../file/partition-log.js';
import { cleanLog, cleanableStats, type CleanOptions } from './cleaner.js';

export const CLEANER_CHECKPOINT = 'cleaner-offset-checkpoint';

export interface LogCleanerOptions {
  fs: StorageFs;
  dataDir: string;
  logs: () => FilePartitionLog[];
  logger?: Logger;
  maxMapEntries?: number;
  onStep?: CleanOptions['onStep'];
}

export class LogCleaner {
  private checkpoints: CheckpointMap = new Map();
  /** name → earliest pending delete horizon; absent = unknown (one pass after start learns it). */
  private readonly horizons = new Map<string, number>();
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(private readonly opts: LogCleanerOptions) {}

  private get path(): string {
    return `${this.opts.dataDir}/${CLEANER_CHECKPOINT}`;
  }

  async load(): Promise<void> {
    this.checkpoints = await readCheckpoint(this.opts.fs, this.path);
  }

  /** Where the dirty part of a log starts, or undefined when it was never cleaned. */
  checkpoint(name: string): number | undefined {
    return this.checkpoints.get(name);
  }

  /** One pass over every compacted log that needs cleaning; returns how many were cleaned. Never overlaps. */
  cleanOnce(now: number): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (!this.running) this.running = this.pass(now).finally(() => (this.running = null));
    return this.running;
  }

  /** Stops after the current step of the current clean (the half-written output is discarded). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  private async pass(now: number): Promise<number> {
    const due: { log: FilePartitionLog; ratio: number }[] = [];
    for (const log of this.opts.logs()) {
      const config = log.currentConfig();
      if (!compactionApplies(config)) continue;
      await log.sealed();
      const s = cleanableStats(log, this.checkpoints.get(log.name) ?? null, now);
      const lagged =
        s.firstDirtyTimestamp >= 0 && now - s.firstDirtyTimestamp > (config.maxCompactionLagMs ?? Number.MAX_SAFE_INTEGER);
      const byDirt = s.dirtyBytes > 0 && (s.ratio >= (config.minCleanableDirtyRatio ?? 0.5) || lagged);
      const byHorizon = (this.horizons.get(log.name) ?? 0) <= now;
      if (byDirt || byHorizon) due.push({ log, ratio: s.ratio });
    }
    due.sort((a, b) => b.ratio - a.ratio);
    let cleaned = 0;
    for (const { log } of due) {
      if (this.stopped) break;
      try {
        const r = await cleanLog(log, {
          fs: this.opts.fs,
          now,
          firstDirtyOffset: this.checkpoints.get(log.name) ?? null,
          maxMapEntries: this.opts.maxMapEntries,
          logger: this.opts.logger,
          shouldStop: () => this.stopped,
          onStep: this.opts.onStep,
        });
        this.horizons.set(log.name, r ? r.nextHorizon : Infinity);
        if (!r) continue;
        cleaned++;
        this.checkpoints.set(log.name, Math.max(r.cleanedTo, this.checkpoints.get(log.name) ?? 0));
        await this.writeCheckpoints();
      } catch (err) {
        if (this.stopped) break;
        this.opts.logger?.error({ err, partition: log.name }, 'log cleaning failed');
      }
    }
    return cleaned;
  }

  private async writeCheckpoints(): Promise<void> {
    const entries = [];
    for (const log of this.opts.logs()) {
      const offset = this.checkpoints.get(log.name);
      if (offset !== undefined) entries.push({ topic: log.topic, partition: log.partition, offset });
    }
    await writeCheckpoint(this.opts.fs, this.path, entries);
  }
}
