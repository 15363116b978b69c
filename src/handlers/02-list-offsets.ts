/**
 * ListOffsets (key 2), versions 0-10. Earliest (-2), latest (-1), max timestamp (-3, v7+), earliest
 * local (-4, v8+: the log start, there is no tiered storage), latest tiered (-5, v9+: offset -1 as Kafka
 * answers without tiered storage) and lookups by time (no match: offset -1, timestamp -1). v0 answers
 * old_style_offsets (modelled on Kafka's one-segment answer). read_committed reads up to the last stable
 * offset, which equals the high watermark until transactions exist. current_leader_epoch checked (v4+);
 * a partition asked for twice gets INVALID_REQUEST (v1+), as in Kafka. timeout_ms is not needed (no
 * remote storage to wait for).
 */
import { ErrorCode } from '../protocol/errors.js';
import type { ListOffsetsRequest, ListOffsetsResponse, ListOffsetsResponseListOffsetsPartitionResponse } from '../protocol/generated/002-list-offsets.js';
import type { Init } from '../protocol/primitives/index.js';
import { producerStateOf } from '../storage/producer-state/service.js';
import { READ_COMMITTED, checkLeaderEpoch, resolvePartition, toNumber } from '../storage/service/common.js';
import { type OffsetAnswer, legacyOffsets, listOffset, noOffset } from '../storage/service/list-offsets.js';
import type { RequestContext } from './types.js';

export const apiKey = 2;
export const minVersion = 0;
export const maxVersion = 10;

const LEGACY_VERSION = 0;

export async function handle(ctx: RequestContext, request: ListOffsetsRequest, version: number): Promise<Init<ListOffsetsResponse>> {
  const { services } = ctx;
  const seen = new Map<string, number>();
  for (const t of request.topics) for (const p of t.partitions) seen.set(`${t.name}\0${p.partitionIndex}`, (seen.get(`${t.name}\0${p.partitionIndex}`) ?? 0) + 1);
  const readCommitted = request.isolationLevel === READ_COMMITTED;

  const topics = await Promise.all(
    request.topics.map(async (t) => {
      const topic = services.topics.get(t.name);
      const partitions = await Promise.all(
        t.partitions.map(async (p): Promise<Init<ListOffsetsResponseListOffsetsPartitionResponse>> => {
          const answer = (a: OffsetAnswer, oldStyleOffsets: bigint[] = []) => ({
            partitionIndex: p.partitionIndex,
            errorCode: a.errorCode,
            oldStyleOffsets,
            timestamp: BigInt(a.timestamp),
            offset: BigInt(a.offset),
            leaderEpoch: a.leaderEpoch,
          });
          if (version > LEGACY_VERSION && seen.get(`${t.name}\0${p.partitionIndex}`)! > 1) return answer(noOffset(ErrorCode.INVALID_REQUEST));
          const target = resolvePartition(services, topic, p.partitionIndex);
          if (!('log' in target)) return answer(noOffset(target.errorCode));
          const epochError = checkLeaderEpoch(p.currentLeaderEpoch, target.leaderEpoch);
          if (epochError !== ErrorCode.NONE) return answer(noOffset(epochError));
          const timestamp = toNumber(p.timestamp);
          if (version === LEGACY_VERSION) {
            const offsets = await legacyOffsets(target.log, timestamp, p.maxNumOffsets);
            return answer(noOffset(), offsets.map(BigInt));
          }
          // read_committed stops at the last stable offset (the first offset of the earliest open transaction).
          const lastStable = readCommitted ? (await producerStateOf(services).view(target.log)).lastStableOffset : undefined;
          return answer(await listOffset(target.log, target.leaderEpoch, timestamp, version, lastStable));
        }),
      );
      return { name: t.name, partitions };
    }),
  );
  return { throttleTimeMs: 0, topics };
}
