/**
 * OffsetForLeaderEpoch with one stable leader epoch per partition (Kafka's leader-epoch cache holding a
 * single entry): the current epoch ends at the log end offset; an older epoch ends where the current one
 * starts; a newer epoch, or -1, is unknown (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET).
 *
 * The current epoch starts at offset 0: Brook has never changed a partition's epoch since the topic was
 * created (no leader elections on a single node), so every batch in the log carries it. When epochs start
 * changing, this is where a per-partition epoch history (start offset per epoch) plugs in.
 */
import type { PartitionLog } from '../engine.js';
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from './common.js';

export const CURRENT_EPOCH_START_OFFSET = 0;

export interface EpochEndOffset {
  leaderEpoch: number;
  endOffset: number;
}

export function endOffsetForEpoch(log: PartitionLog, currentEpoch: number, requestedEpoch: number): EpochEndOffset {
  if (requestedEpoch === UNDEFINED_EPOCH || requestedEpoch > currentEpoch) {
    return { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
  }
  if (requestedEpoch === currentEpoch) return { leaderEpoch: currentEpoch, endOffset: log.logEndOffset() };
  // An epoch before any we know of: Kafka answers the requested epoch and the start of the earliest known one.
  return { leaderEpoch: requestedEpoch, endOffset: CURRENT_EPOCH_START_OFFSET };
}
