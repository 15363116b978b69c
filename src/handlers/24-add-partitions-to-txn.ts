/**
 * AddPartitionsToTxn (key 24), versions 0-5. v0-v3 (clients): one transaction; the partitions join
 * it and it becomes Ongoing (written to __transaction_state before the answer). v4+ (brokers, KIP-890):
 * several transactions per request; verify_only checks that the partitions are already in the
 * transaction without adding them (INVALID_TXN_STATE, TRANSACTION_ABORTABLE from v5, when not).
 * Unknown partitions get UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, as in
 * Kafka. PRODUCER_FENCED is answered as INVALID_PRODUCER_EPOCH before v2. No authorization yet.
 */
import { FIRST_PRODUCER_FENCED_VERSION, forVersion } from '../coordinator/txn/errors.js';
import { transactionsOf } from '../coordinator/txn/install.js';
import type { TransactionCoordinator } from '../coordinator/txn/service.js';
import { ErrorCode } from '../protocol/errors.js';
import type {
  AddPartitionsToTxnRequest, AddPartitionsToTxnRequestAddPartitionsToTxnTopic, AddPartitionsToTxnResponse,
  AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult,
} from '../protocol/generated/024-add-partitions-to-txn.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 24;
export const minVersion = 0;
export const maxVersion = 5;

const FIRST_BATCHED_VERSION = 4;
const FIRST_ABORTABLE_VERSION = 5;

type TopicResult = Init<AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult>;

const results = (topics: readonly AddPartitionsToTxnRequestAddPartitionsToTxnTopic[], code: (topic: string, p: number) => number): TopicResult[] =>
  topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code(t.name, p) })) }));

async function one(
  ctx: RequestContext, txn: TransactionCoordinator, version: number,
  t: { transactionalId: string; producerId: bigint; producerEpoch: number; verifyOnly: boolean; topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[] },
): Promise<TopicResult[]> {
  const p = { producerId: t.producerId, producerEpoch: t.producerEpoch };
  if (t.verifyOnly) {
    return results(t.topics, (topic, partition) => {
      const code = txn.verify(topic, partition, t.producerId, t.producerEpoch);
      return code === ErrorCode.INVALID_TXN_STATE && version >= FIRST_ABORTABLE_VERSION ? ErrorCode.TRANSACTION_ABORTABLE : code;
    });
  }
  const { topics } = ctx.services;
  const exists = (topic: string, partition: number) => {
    const info = topics.get(topic);
    return !!info && !info.internal && partition >= 0 && partition < info.leaderEpochs.length;
  };
  if (t.topics.some((tp) => tp.partitions.some((partition) => !exists(tp.name, partition)))) {
    return results(t.topics, (topic, partition) => (exists(topic, partition) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
  }
  const code = t.transactionalId === '' ? ErrorCode.INVALID_REQUEST : await txn.addPartitions(t.transactionalId, p, t.topics.map((tp) => ({ topic: tp.name, partitions: tp.partitions })));
  const answered = forVersion(code, version, FIRST_PRODUCER_FENCED_VERSION.addPartitionsToTxn);
  return results(t.topics, () => answered);
}

export async function handle(ctx: RequestContext, request: AddPartitionsToTxnRequest, version: number): Promise<Init<AddPartitionsToTxnResponse>> {
  const txn = await transactionsOf(ctx.services);
  if (version < FIRST_BATCHED_VERSION) {
    const resultsByTopicV3AndBelow = await one(ctx, txn, version, {
      transactionalId: request.v3AndBelowTransactionalId,
      producerId: request.v3AndBelowProducerId,
      producerEpoch: request.v3AndBelowProducerEpoch,
      verifyOnly: false,
      topics: request.v3AndBelowTopics,
    });
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow };
  }
  const resultsByTransaction = await Promise.all(
    request.transactions.map(async (t) => ({ transactionalId: t.transactionalId, topicResults: await one(ctx, txn, version, t) })),
  );
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction };
}
