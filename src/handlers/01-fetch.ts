/**
 * Fetch (key 1), versions 0-17, for consumers. Long-polls with max_wait_ms/min_bytes (woken by appends
 * to any requested partition, or the connection closing); max_bytes and partition_max_bytes with KIP-74
 * (the first batch of the response comes whole even when larger; a fetch inside a batch returns that
 * batch whole — old v0–v2 clients get the same); records are the stored batches by reference. As in
 * Kafka, the broker's fetch.max.bytes caps max_bytes, and min_bytes never exceeds the cap.
 * v0–v3 get magic 0/1 message sets (converted), and zstd below v10 is UNSUPPORTED_COMPRESSION_TYPE.
 * Topic IDs from v13. current_leader_epoch is checked (v9+).
 *
 * Not done: incremental fetch sessions (KIP-227) are declined: session_id is always 0 and every request
 * with epoch 0 or -1 is a full fetch; an incremental request (any other epoch) gets
 * FETCH_SESSION_ID_NOT_FOUND, which makes clients fall back to full fetches. No follower fetching
 * (replica_id is ignored), no rack-aware preferred read replica (-1). read_committed (v4+) stops at the
 * last stable offset and lists the aborted transactions (producer state, src/storage/producer-state).
 */
import { CompressionCodec } from '../protocol/compression/index.js';
import { ErrorCode } from '../protocol/errors.js';
import type {
  FetchRequest, FetchRequestFetchPartition, FetchResponse, FetchResponsePartitionData,
} from '../protocol/generated/001-fetch.js';
import type { Init } from '../protocol/primitives/index.js';
import { batchCodec, batches, convertV2ToLegacy, errorCodeFor } from '../protocol/records/index.js';
import type { TopicInfo } from '../metadata/topic-registry.js';
import type { RecordChunk } from '../storage/engine.js';
import { producerStateOf } from '../storage/producer-state/service.js';
import { ReadLease } from '../storage/read-lease.js';
import { FETCH_INTERRUPTS_KEY, FetchInterrupts, REBALANCING_MAX_WAIT_MS } from '../storage/service/fetch-interrupts.js';
import { READ_COMMITTED, checkLeaderEpoch, resolvePartition, toNumber } from '../storage/service/common.js';
import { type FetchPartitionResult, type FetchPartitionSpec, fetchPartitions } from '../storage/service/fetch.js';
import type { RequestContext } from './types.js';

export const apiKey = 1;
export const minVersion = 0;
export const maxVersion = 17;

/** FetchMetadata: epoch 0 opens a session (we decline: full fetch, id 0); -1 is a sessionless full fetch. */
const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;
const NO_SESSION_ID = 0;
const FIRST_TOPIC_ID_VERSION = 13;
const FIRST_ZSTD_FETCH_VERSION = 10;
/** Fetch v0–v1 read magic 0 message sets, v2–v3 magic 1. */
const LAST_LEGACY_VERSION = 3;

/**
 * A rebalance of the client's group ends its long poll early, and keeps its Fetches short while it
 * lasts (kafkajs heartbeats between fetches).
 */
function interruptsFor(ctx: RequestContext): { onInterrupt: (fn: () => void) => () => void; rebalancing: boolean } | undefined {
  const interrupts = ctx.services.extensions.get(FETCH_INTERRUPTS_KEY) as FetchInterrupts | undefined;
  if (!interrupts) return undefined;
  const key = FetchInterrupts.key(ctx.clientId, `/${ctx.connection.remoteAddress}`);
  return { onInterrupt: (fn) => interrupts.subscribe(key, fn), rebalancing: interrupts.isRebalancing(key) };
}

export async function handle(ctx: RequestContext, request: FetchRequest, version: number): Promise<Init<FetchResponse>> {
  if (request.sessionEpoch !== INITIAL_EPOCH && request.sessionEpoch !== FINAL_EPOCH) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: NO_SESSION_ID, responses: [] };
  }
  const { topics } = ctx.services;
  const byId = version >= FIRST_TOPIC_ID_VERSION;
  const resolved = request.topics.map((t) => ({ request: t, topic: byId ? topics.getById(t.topicId) : topics.get(t.topic) }));
  const readCommitted = request.isolationLevel === READ_COMMITTED;
  const specs: FetchPartitionSpec[] = [];
  for (const { topic, request: t } of resolved) {
    for (const p of t.partitions) specs.push({ ...partitionSpec(ctx, topic, p, byId), readCommitted });
  }
  // Disk reads borrow pooled buffers, given back once the response has left (not before). From v10
  // on nothing here looks inside the records, so large disk reads become file spans the connection
  // streams (src/storage/file/file-span.ts); older versions check or convert the batches.
  let lease: ReadLease | undefined;
  if (ctx.onResponseSent) {
    const l = (lease = new ReadLease(version >= FIRST_ZSTD_FETCH_VERSION));
    ctx.onResponseSent(() => l.release());
  }
  const interrupts = interruptsFor(ctx);
  const maxBytes = Math.min(request.maxBytes, ctx.services.config.num('fetch.max.bytes'));
  const results = await fetchPartitions(specs, {
    maxWaitMs: interrupts?.rebalancing ? Math.min(request.maxWaitMs, REBALANCING_MAX_WAIT_MS) : request.maxWaitMs,
    minBytes: Math.min(request.minBytes, maxBytes),
    maxBytes,
    signal: ctx.signal,
    producerState: producerStateOf(ctx.services),
    lease,
    onInterrupt: interrupts?.onInterrupt,
  });

  let i = 0;
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: NO_SESSION_ID,
    responses: resolved.map(({ request: t }) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => partitionResponse(p.partition, results[i++]!, version, readCommitted)),
    })),
  };
}

function partitionSpec(ctx: RequestContext, topic: TopicInfo | undefined, p: FetchRequestFetchPartition, byId: boolean): FetchPartitionSpec {
  const spec = { errorCode: ErrorCode.NONE, fetchOffset: toNumber(p.fetchOffset), partitionMaxBytes: p.partitionMaxBytes };
  if (!topic && byId) return { ...spec, errorCode: ErrorCode.UNKNOWN_TOPIC_ID };
  const target = resolvePartition(ctx.services, topic, p.partition);
  if (!('log' in target)) return { ...spec, errorCode: target.errorCode };
  const epochError = checkLeaderEpoch(p.currentLeaderEpoch, target.leaderEpoch);
  if (epochError !== ErrorCode.NONE) return { ...spec, errorCode: epochError };
  return { ...spec, log: target.log };
}

function partitionResponse(partitionIndex: number, r: FetchPartitionResult, version: number, readCommitted: boolean): Init<FetchResponsePartitionData> {
  let errorCode = r.errorCode;
  let records: Buffer | RecordChunk[] = r.chunks;
  if (r.bytes > 0 && version < FIRST_ZSTD_FETCH_VERSION && hasZstd(inMemory(r.chunks))) {
    errorCode = ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    records = [];
  } else if (r.bytes > 0 && version <= LAST_LEGACY_VERSION) {
    try {
      records = convertV2ToLegacy(Buffer.concat(inMemory(r.chunks), r.bytes), version <= 1 ? 0 : 1);
    } catch (err) {
      errorCode = errorCodeFor(err);
      records = [];
    }
  }
  return {
    partitionIndex,
    errorCode,
    highWatermark: BigInt(r.highWatermark),
    lastStableOffset: BigInt(r.lastStableOffset),
    logStartOffset: BigInt(r.logStartOffset),
    abortedTransactions:
      readCommitted && errorCode === ErrorCode.NONE
        ? (r.abortedTransactions ?? []).map((a) => ({ producerId: a.producerId, firstOffset: BigInt(a.firstOffset) }))
        : null,
    preferredReadReplica: -1,
    // The codec writes the stored batches by reference and passes file spans on to the connection.
    records,
  };
}

/** Below v10 the lease allows no file spans: every chunk is a Buffer. */
function inMemory(chunks: readonly RecordChunk[]): Buffer[] {
  if (!chunks.every((c) => Buffer.isBuffer(c))) throw new Error('file span in a Fetch response below v10');
  return chunks as Buffer[];
}

/** Header-only scan (old clients only): does any returned batch use zstd? */
function hasZstd(chunks: readonly Buffer[]): boolean {
  for (const c of chunks) {
    for (const b of batches(c)) {
      if (!b.partial && b.magic === 2 && batchCodec(c, b.pos) === CompressionCodec.ZSTD) return true;
    }
  }
  return false;
}
