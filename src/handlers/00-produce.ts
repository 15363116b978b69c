/**
 * Produce (key 0), versions 0-11. acks 0/1/-1 map to durability none/written/synced (fsynced, group
 * commit); acks=0 gets no response, and a failed acks=0 request closes the connection as Kafka does.
 * v0–v2 message sets are converted to one v2 batch; v3+ must carry exactly one v2 batch per partition.
 * Unknown topics are not created here (Kafka creates only through Metadata). Per-partition errors are
 * data. record_errors and error_message (v8+) are filled where Kafka fills them: INVALID_TIMESTAMP
 * from message.timestamp.before/after.max.ms and keyless records on compacted topics (INVALID_RECORD);
 * otherwise empty and null. Topic compression.type re-compression, the timestamp bounds and the
 * producer-state checks live in src/storage/service/produce.ts (see its header for what is and is not
 * done). Throttle is always 0.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { ProduceRequest, ProduceResponse, ProduceResponsePartitionProduceResponse } from '../protocol/generated/000-produce.js';
import type { Init } from '../protocol/primitives/index.js';
import { type ProducePartitionResult, durabilityForAcks, failed, producePartition } from '../storage/service/produce.js';
import { NO_RESPONSE, type NoResponse, type RequestContext } from './types.js';

export const apiKey = 0;
export const minVersion = 0;
export const maxVersion = 11;

export function handle(ctx: RequestContext, request: ProduceRequest, version: number): Promise<Init<ProduceResponse> | NoResponse> {
  const { services } = ctx;
  const durability = durabilityForAcks(request.acks);
  const pending: Array<Promise<ProducePartitionResult>[]> = request.topicData.map((t) => {
    const topic = services.topics.get(t.name);
    return t.partitionData.map((p) =>
      durability === null
        ? Promise.resolve(failed(ErrorCode.INVALID_REQUIRED_ACKS))
        : producePartition(services, { topic, partition: p.index, records: p.records, version, durability, clientId: ctx.clientId }),
    );
  });
  return Promise.all(pending.map((ps) => Promise.all(ps))).then((results) => {
    // Every append has settled (producePartition never rejects). With acks=0 the log may still be
    // writing the frame's bytes; after an error, where an append stopped is not known: keep the frame.
    if (durability !== 'none' && results.every((ps) => ps.every((r) => r.errorCode === ErrorCode.NONE))) ctx.releaseRequestBytes?.();
    if (durability === 'none') {
      const firstError = results.flat().find((r) => r.errorCode !== ErrorCode.NONE);
      if (firstError) throw new Error(`acks=0 produce failed with error ${firstError.errorCode}; closing the connection as Kafka does`);
      return NO_RESPONSE;
    }
    return {
      throttleTimeMs: 0,
      responses: request.topicData.map((t, ti) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p, pi): Init<ProduceResponsePartitionProduceResponse> => {
          const r = results[ti]![pi]!;
          return {
            index: p.index,
            errorCode: r.errorCode,
            baseOffset: BigInt(r.baseOffset),
            logAppendTimeMs: BigInt(r.logAppendTimeMs),
            logStartOffset: BigInt(r.logStartOffset),
            recordErrors: (r.recordErrors ?? []).map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message })),
            errorMessage: r.errorMessage ?? null,
          };
        }),
      })),
    };
  });
}
