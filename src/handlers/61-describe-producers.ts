/**
 * DescribeProducers (key 61), version 0. For each requested partition: the active producers of its
 * producer state (id, epoch, last sequence, last timestamp, coordinator epoch, start offset of the
 * open transaction). Unknown partitions get UNKNOWN_TOPIC_OR_PARTITION. No authorization yet.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { DescribeProducersRequest, DescribeProducersResponse } from '../protocol/generated/061-describe-producers.js';
import type { Init } from '../protocol/primitives/index.js';
import { lastSequence } from '../storage/producer-state/entry.js';
import { producerStateOf } from '../storage/producer-state/service.js';
import type { RequestContext } from './types.js';

export const apiKey = 61;
export const minVersion = 0;
export const maxVersion = 0;

export async function handle(ctx: RequestContext, request: DescribeProducersRequest): Promise<Init<DescribeProducersResponse>> {
  const ps = producerStateOf(ctx.services);
  const topics = await Promise.all(
    request.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(
        t.partitionIndexes.map(async (partitionIndex) => {
          const log = ctx.services.topics.get(t.name) ? ctx.services.storage.getPartition(t.name, partitionIndex) : undefined;
          if (!log) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] };
          const state = await ps.state(log);
          const activeProducers = [...state.entries()].map((e) => ({
            producerId: e.producerId,
            producerEpoch: e.epoch,
            lastSequence: lastSequence(e),
            lastTimestamp: BigInt(e.lastTimestamp),
            coordinatorEpoch: e.coordinatorEpoch,
            currentTxnStartOffset: BigInt(e.currentTxnFirstOffset),
          }));
          return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
        }),
      ),
    })),
  );
  return { throttleTimeMs: 0, topics };
}
