/**
 * DeleteRecords (key 21), v0-2: moves a partition's log start offset forward (whole segments below it
 * are dropped); offset -1 means the high watermark. Kafka's answers: OFFSET_OUT_OF_RANGE with low
 * watermark -1 for an offset beyond the high watermark or below -1, UNKNOWN_TOPIC_OR_PARTITION for an
 * unknown partition, INVALID_TOPIC_EXCEPTION for internal topics. timeout_ms is not needed: a single
 * replica has the new start offset as soon as the call returns.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse, DeleteRecordsResponseDeleteRecordsPartitionResult } from '../protocol/generated/021-delete-records.js';
import type { Init } from '../protocol/primitives/index.js';
import { isInternalTopic } from '../metadata/topic-names.js';
import { OffsetOutOfRangeError } from '../storage/errors.js';
import type { RequestContext } from './types.js';

export const apiKey = 21;
export const minVersion = 0;
export const maxVersion = 2;

type PartitionResult = Init<DeleteRecordsResponseDeleteRecordsPartitionResult>;
const failed = (partitionIndex: number, errorCode: number): PartitionResult => ({ partitionIndex, errorCode, lowWatermark: -1n });

async function deleteOne(ctx: RequestContext, topic: string, partitionIndex: number, offset: bigint): Promise<PartitionResult> {
  const { topics, storage } = ctx.services;
  const info = topics.get(topic);
  const log = info && partitionIndex >= 0 && partitionIndex < info.leaderEpochs.length ? storage.getPartition(topic, partitionIndex) : undefined;
  if (!info || !log) return failed(partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (info.internal || isInternalTopic(topic)) return failed(partitionIndex, ErrorCode.INVALID_TOPIC_EXCEPTION);
  const hw = log.logEndOffset();
  const target = offset === -1n ? hw : offset < 0n || offset > BigInt(hw) ? -1 : Number(offset);
  if (target < 0) return failed(partitionIndex, ErrorCode.OFFSET_OUT_OF_RANGE);
  try {
    await log.deleteRecordsBefore(target);
  } catch (e) {
    if (e instanceof OffsetOutOfRangeError) return failed(partitionIndex, ErrorCode.OFFSET_OUT_OF_RANGE);
    ctx.logger.error({ err: e, topic, partition: partitionIndex }, 'DeleteRecords failed');
    return failed(partitionIndex, ErrorCode.KAFKA_STORAGE_ERROR);
  }
  return { partitionIndex, errorCode: ErrorCode.NONE, lowWatermark: BigInt(log.logStartOffset()) };
}

export async function handle(ctx: RequestContext, req: DeleteRecordsRequest): Promise<Init<DeleteRecordsResponse>> {
  const byTopic = new Map<string, Map<number, bigint>>();
  for (const t of req.topics) {
    const parts = byTopic.get(t.name) ?? new Map<number, bigint>();
    for (const p of t.partitions) parts.set(p.partitionIndex, p.offset);
    byTopic.set(t.name, parts);
  }
  const topics = [];
  for (const [name, parts] of byTopic) {
    const partitions = [];
    for (const [index, offset] of parts) partitions.push(await deleteOne(ctx, name, index, offset));
    topics.push({ name, partitions });
  }
  return { throttleTimeMs: 0, topics };
}
