/**
 * Segment roll and retention rules, shared by the file and memory engines so both behave alike.
 * Pure functions over segment summaries; the engines own the I/O.
 */
import { retentionApplies, type LogConfig } from './engine.js';

export interface SegmentSummary {
  baseOffset: number;
  /** Offset after the segment's last record. */
  nextOffset: number;
  sizeBytes: number;
  /** Largest batch maxTimestamp in the segment, -1 when empty. */
  maxTimestamp: number;
  /** Clock time of the segment's first append (segment.ms counts from there), -1 when empty. */
  firstAppendAt: number;
}

/** Whether the active segment must be rolled before `incomingBytes` are appended at `now`. */
export function shouldRoll(active: SegmentSummary, incomingBytes: number, now: number, config: LogConfig): boolean {
  if (active.sizeBytes === 0) return false;
  if (active.sizeBytes + incomingBytes > config.segmentBytes) return true;
  return active.firstAppendAt >= 0 && now - active.firstAppendAt >= config.segmentMs;
}

/**
 * How many of the oldest segments retention removes (segments are oldest first, the last one is
 * active and never removed): those past retention.ms by their largest timestamp, those that keep
 * the log above retention.bytes, and those wholly below the log start offset.
 */
export function segmentsToDelete(
  segments: readonly SegmentSummary[],
  now: number,
  config: LogConfig,
  logStartOffset: number,
): number {
  const deletable = segments.length - 1;
  let byStart = 0;
  while (byStart < deletable && segments[byStart].nextOffset <= logStartOffset) byStart++;
  // retention.ms / retention.bytes apply only when cleanup.policy contains delete.
  const timed = retentionApplies(config);
  let byTime = 0;
  if (timed && config.retentionMs >= 0) {
    while (
      byTime < deletable &&
      segments[byTime].maxTimestamp >= 0 &&
      now - segments[byTime].maxTimestamp > config.retentionMs
    )
      byTime++;
  }
  let bySize = 0;
  if (timed && config.retentionBytes >= 0) {
    let diff = -config.retentionBytes;
    for (const s of segments) diff += s.sizeBytes;
    while (bySize < deletable && diff - segments[bySize].sizeBytes >= 0) {
      diff -= segments[bySize].sizeBytes;
      bySize++;
    }
  }
  return Math.max(byStart, byTime, bySize);
}

/** Batch facts both engines read from a v2 header. */
export interface BatchMeta {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}
