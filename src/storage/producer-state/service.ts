/**
 * ProducerStateService: the producer state of every partition, kept beside the partition logs.
 *
 * - append(): the produce path's append. Batches without a producer id go straight to the log.
 *   Otherwise the partition's state is loaded (first use: a scan of the log's batch headers), the
 *   batches are checked, and — synchronously, so no other append can slip in between — appended and
 *   recorded. A duplicate of one of the producer's last five batches is answered with its original
 *   offsets and not appended again.
 * - appendMarker(): the transaction coordinator's COMMIT/ABORT control batch for a partition.
 * - view(): last stable offset and aborted transactions for read_committed fetches.
 *
 * States are keyed by PartitionLog object, so a deleted and re-created partition starts afresh.
 */
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/errors.js';
import { buildEndTxnMarkerBatch } from '../../protocol/records/index.js';
import type { AppendBatch, Durability, PartitionLog } from '../engine.js';
import type { AbortedTxn, BatchInfo } from './entry.js';
import { PartitionProducerState, type CompletedTxn, type TxnVerifier } from './partition-state.js';
import { batchInfo, scanProducerBatches } from './scan.js';

export interface GuardedAppendResult {
  errorCode: number;
  errorMessage?: string;
  /** Offset of the first record appended (or, for a duplicate, originally appended); -1 on error. */
  baseOffset: number;
  lastOffset: number;
  logStartOffset: number;
  /** True when the batch was a retry of one already in the log: nothing was appended. */
  duplicate: boolean;
}

export interface MarkerSpec {
  producerId: bigint;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
}

export interface MarkerResult {
  errorCode: number;
  offset: number;
  completed: CompletedTxn | null;
}

export interface PartitionTxnView {
  lastStableOffset: number;
  abortedTransactions(fetchOffset: number, upperBound: number): AbortedTxn[];
}

/** Decides whether a producer may open a transaction in topic-partition (in-process KIP-890 check). */
export type PartitionTxnVerifier = (topic: string, partition: number, producerId: bigint, epoch: number) => number;

export interface ProducerStateServiceOptions {
  now: () => number;
  logger?: Logger;
  /** producer.id.expiration.ms */
  producerIdExpirationMs?: number;
}

export class ProducerStateService {
  private readonly states = new WeakMap<PartitionLog, PartitionProducerState>();
  private readonly loading = new WeakMap<PartitionLog, Promise<PartitionProducerState>>();
  private readonly known = new Set<WeakRef<PartitionLog>>();
  /** Set by the transaction coordinator once it runs. */
  verifier: PartitionTxnVerifier | null = null;

  constructor(private readonly opts: ProducerStateServiceOptions) {}

  /** The state if already loaded. */
  loaded(log: PartitionLog): PartitionProducerState | undefined {
    return this.states.get(log);
  }

  /** The partition's state, rebuilt from the log on first use. */
  state(log: PartitionLog): Promise<PartitionProducerState> {
    const s = this.states.get(log);
    if (s) return Promise.resolve(s);
    let p = this.loading.get(log);
    if (!p) {
      p = this.rebuild(log).finally(() => this.loading.delete(log));
      this.loading.set(log, p);
    }
    return p;
  }

  private async rebuild(log: PartitionLog): Promise<PartitionProducerState> {
    const state = new PartitionProducerState(`${log.topic}-${log.partition}`);
    let count = 0;
    for await (const b of scanProducerBatches(log)) {
      count++;
      if (b.marker) state.applyMarker(b.info.producerId, b.info.epoch, b.marker.commit, b.marker.coordinatorEpoch, b.baseOffset, b.info.maxTimestamp);
      else if (!b.info.control) state.replayBatch(b.info, b.baseOffset);
    }
    // Synchronously with the last read: every producer batch in the log so far has been seen, and
    // every later one goes through append()/appendMarker(), which wait for this promise.
    this.states.set(log, state);
    this.known.add(new WeakRef(log));
    if (count > 0) this.opts.logger?.debug({ topic: log.topic, partition: log.partition, batches: count }, 'rebuilt producer state');
    return state;
  }

  private adoptEmpty(log: PartitionLog): void {
    this.states.set(log, new PartitionProducerState(`${log.topic}-${log.partition}`));
    this.known.add(new WeakRef(log));
  }

  /** Appends a produce request's validated batches for one partition, applying the producer-state rules. */
  async append(log: PartitionLog, batches: AppendBatch[], leaderEpoch: number, durability: Durability): Promise<GuardedAppendResult> {
    const infos: BatchInfo[] = batches.map((b) => batchInfo(b.buf));
    if (infos.every((i) => i.producerId < 0n)) {
      // An empty log has an empty state: take it now, so a read_committed consumer (kafkajs reads
      // committed by default) does not rebuild it later by scanning everything appended meanwhile.
      if (!this.states.has(log) && !this.loading.has(log) && log.logEndOffset() === log.logStartOffset()) this.adoptEmpty(log);
      const r = await log.append(batches, leaderEpoch, durability);
      return { errorCode: ErrorCode.NONE, baseOffset: r.baseOffset, lastOffset: r.lastOffset, logStartOffset: r.logStartOffset, duplicate: false };
    }
    const state = await this.state(log);
    // No await from here to log.append: check, append and record are one step.
    const verify = this.verifier;
    const check = state.checkAppend(infos, verify ? (pid, epoch) => verify(log.topic, log.partition, pid, epoch) : undefined);
    if (check.kind === 'error') {
      return { errorCode: check.errorCode, errorMessage: check.message, baseOffset: -1, lastOffset: -1, logStartOffset: log.logStartOffset(), duplicate: false };
    }
    if (check.kind === 'duplicate') {
      return { errorCode: ErrorCode.NONE, baseOffset: check.firstOffset, lastOffset: check.lastOffset, logStartOffset: log.logStartOffset(), duplicate: true };
    }
    const before = log.logEndOffset();
    const pending = log.append(batches, leaderEpoch, durability);
    if (log.logEndOffset() !== before) state.commit(check, before);
    const r = await pending;
    return { errorCode: ErrorCode.NONE, baseOffset: r.baseOffset, lastOffset: r.lastOffset, logStartOffset: r.logStartOffset, duplicate: false };
  }

  /** Writes a COMMIT or ABORT marker for a producer to the partition. */
  async appendMarker(log: PartitionLog, m: MarkerSpec, leaderEpoch: number, durability: Durability = 'synced'): Promise<MarkerResult> {
    const state = await this.state(log);
    const code = state.checkMarker(m.producerId, m.producerEpoch, m.coordinatorEpoch);
    if (code !== ErrorCode.NONE) return { errorCode: code, offset: -1, completed: null };
    const now = this.opts.now();
    const buf = buildEndTxnMarkerBatch({ producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.commit, coordinatorEpoch: m.coordinatorEpoch, timestamp: now });
    const before = log.logEndOffset();
    const pending = log.append([{ buf, offsetCount: 1, maxTimestamp: now }], leaderEpoch, durability);
    const completed = log.logEndOffset() !== before ? state.applyMarker(m.producerId, m.producerEpoch, m.commit, m.coordinatorEpoch, before, now) : null;
    await pending;
    return { errorCode: ErrorCode.NONE, offset: before, completed };
  }

  /** What a read_committed fetch needs; `highWatermark` is the partition's HW (log end on one node). */
  async view(log: PartitionLog, highWatermark = log.logEndOffset()): Promise<PartitionTxnView> {
    const state = await this.state(log);
    state.truncateBelow(log.logStartOffset());
    return {
      lastStableOffset: state.lastStableOffset(highWatermark),
      abortedTransactions: (fetchOffset, upperBound) => state.abortedTransactions(fetchOffset, upperBound),
    };
  }

  /** The last stable offset if the state is loaded, else null (callers that must not wait). */
  lastStableOffsetNow(log: PartitionLog, highWatermark = log.logEndOffset()): number | null {
    return this.states.get(log)?.lastStableOffset(highWatermark) ?? null;
  }

  /** Drops idle producers from every loaded partition (producer.id.expiration.ms). */
  expireProducers(now = this.opts.now()): number {
    const ms = this.opts.producerIdExpirationMs;
    if (ms === undefined) return 0;
    let removed = 0;
    for (const ref of this.known) {
      const log = ref.deref();
      const s = log && this.states.get(log);
      if (!s) this.known.delete(ref);
      else removed += s.removeExpired(now, ms);
    }
    return removed;
  }
}

export const PRODUCER_STATE_KEY = 'producerState';

/** What producerStateOf needs from the broker's services. */
export interface ProducerStateHost {
  readonly extensions: Map<string, unknown>;
  readonly config: { num(name: string): number };
  readonly logger: Logger;
  readonly clock: { now(): number };
}

/** The broker's ProducerStateService (services.extensions 'producerState'), created on first use. */
export function producerStateOf(host: ProducerStateHost): ProducerStateService {
  let svc = host.extensions.get(PRODUCER_STATE_KEY) as ProducerStateService | undefined;
  if (!svc) {
    svc = new ProducerStateService({ now: () => host.clock.now(), logger: host.logger, producerIdExpirationMs: host.config.num('producer.id.expiration.ms') });
    host.extensions.set(PRODUCER_STATE_KEY, svc);
  }
  return svc;
}
