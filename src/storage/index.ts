/**
 * Storage: partition logs behind one engine interface (engine.ts). The file engine keeps Kafka's
 * on-disk layout; the memory engine has the same semantics without I/O. Handlers see only
 * StorageEngine and PartitionLog.
 */
import type { Logger } from 'pino';
import type { LogConfig, StorageEngine } from './engine.js';
import { FileStorageEngine } from './file/engine.js';
import type { StorageFs } from './file/fs.js';
import { MemoryStorageEngine } from './memory/engine.js';

export * from './engine.js';
export { OffsetOutOfRangeError, LogFailedError } from './errors.js';
export { FileStorageEngine, CLEAN_SHUTDOWN_MARKER } from './file/engine.js';
export { MemoryStorageEngine } from './memory/engine.js';
export { nodeFs, type StorageFs } from './file/fs.js';

export interface StorageOptions {
  kind: 'file' | 'memory';
  /** Required for 'file'. */
  dataDir?: string;
  logger?: Logger;
  /** Clock for segment.ms rolls and flush.ms (default Date.now). */
  now?: () => number;
  /** File engine: filesystem to use (tests inject faults). */
  fs?: StorageFs;
  tailCacheBytes?: number;
  /** File engine: log.tail.cache.bytes, the tail caches' total over all partitions. */
  tailCacheTotalBytes?: number;
  defaultConfig?: LogConfig;
  tickMs?: number;
}

export function createStorage(opts: StorageOptions): StorageEngine {
  if (opts.kind === 'memory') return new MemoryStorageEngine(opts.now);
  if (!opts.dataDir) throw new Error('file storage needs a dataDir');
  return new FileStorageEngine({
    dataDir: opts.dataDir,
    fs: opts.fs,
    logger: opts.logger,
    now: opts.now,
    tailCacheBytes: opts.tailCacheBytes,
    tailCacheTotalBytes: opts.tailCacheTotalBytes,
    defaultConfig: opts.defaultConfig,
    tickMs: opts.tickMs,
  });
}
