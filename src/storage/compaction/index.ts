/**
 * Log compaction (cleanup.policy=compact): the cleaner for the file engine and the produce-side
 * keyless check. Layout: batches.ts (segment reads), txn.ts (transactions), filter.ts (per-batch
 * rules, pure), cleaner.ts (one log), swap.ts (crash-safe swap and its recovery), manager.ts
 * (scheduling and cleaner-offset-checkpoint), keyless.ts.
 */
export { LogCleaner, CLEANER_CHECKPOINT, type LogCleanerOptions } from './manager.js';
export { cleanLog, cleanableStats, groupSegments, type CleanOptions, type CleanResult } from './cleaner.js';
export { filterBatch, emptyBatch, deleteHorizonOf, type BatchFilter, type FilteredBatch } from './filter.js';
export { hasKeylessRecords, firstKeylessRecord } from './keyless.js';
export { completeSwaps } from './swap.js';
