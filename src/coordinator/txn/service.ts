/**
 * TransactionCoordinator: runs the pure transitions (machine*.ts) over the metadata of every
 * transactional id, persists each step in __transaction_state before answering, and drives
 * completions: COMMIT/ABORT markers to every partition of the transaction (through the producer
 * state, with the transaction's producer id/epoch), transactional offsets handed to the group
 * coordinator on commit, then Complete*. A timer aborts timed-out transactions, expires idle ids and
 * retries completions that failed. start() replays the log and finishes in-flight PrepareCommit /
 * PrepareAbort transactions.
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../../metadata/broker-config.js';
import type { TopicManager } from '../../metadata/topics.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { StorageEngine } from '../../storage/engine.js';
import type { ProducerStateService } from '../../storage/producer-state/service.js';
import { type InitInput, initProducerId } from './machine-init.js';
import {
  type ProducerRef, type Step, addOffsetsToTxn, addPartitionsToTxn, endTxn, expire, markersWritten, timeoutAbort, txnOffsetCommit,
  verifyPartition,
} from './machine.js';
import {
  NO_PRODUCER_EPOCH, NO_PRODUCER_ID, type PendingOffset, TXN_KEY_PREFIX, type TxnMetadata, TxnState, decodeTxnValue, encodeTxnValue,
  txnRecordKey,
} from './metadata.js';
import { PID_BLOCK_KEY, ProducerIdBlocks, decodePidBlock, encodePidBlock } from './producer-ids.js';
import { TxnLog } from './txn-log.js';

/** Where committed transactional offsets go (the group coordinator's offset store). */
export interface TxnOffsetSink {
  /** Makes `offsets` the group's committed offsets. Called on commit, and again after a restart mid-commit. */
  commitTransactionalOffsets(groupId: string, producerId: bigint, offsets: readonly PendingOffset[]): Promise<void>;
}

export interface TransactionCoordinatorDeps {
  topics: TopicManager;
  storage: StorageEngine;
  config: BrokerConfig;
  logger: Logger;
  clock: { now(): number };
  producerState: ProducerStateService;
  /** Looked up when a commit needs it, so the group coordinator may register later. */
  offsetSink?: () => TxnOffsetSink | undefined;
}

export interface InitResult {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export class TransactionCoordinator {
  private readonly txns = new Map<string, TxnMetadata>();
  private readonly byProducer = new Map<bigint, string>();
  private readonly completing = new Map<string, Promise<void>>();
  private readonly pids = new ProducerIdBlocks();
  private pidBlockWrite: Promise<void> | null = null;
  private lastWrite: Promise<void> = Promise.resolve();
  private readonly log: TxnLog;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly deps: TransactionCoordinatorDeps) {
    this.log = new TxnLog(deps.topics, deps.storage, deps.config, deps.logger, () => deps.clock.now());
  }

  private now(): number {
    return this.deps.clock.now();
  }

  /** Replays __transaction_state, finishes in-flight completions, starts the timer. */
  async start(): Promise<void> {
    let records = 0;
    for await (const r of this.log.replay()) {
      records++;
      const key = r.key.toString('utf8');
      if (key === PID_BLOCK_KEY && r.value) this.pids.restore(decodePidBlock(r.value));
      else if (key.startsWith(TXN_KEY_PREFIX)) {
        const id = key.slice(TXN_KEY_PREFIX.length);
        this.setMeta(id, r.value ? decodeTxnValue(id, r.value) : undefined);
      }
    }
    if (records > 0) this.deps.logger.info({ transactionalIds: this.txns.size, records }, 'loaded transaction state');
    this.deps.producerState.verifier = (topic, partition, pid, epoch) => this.verify(topic, partition, pid, epoch);
    // Finish commits/aborts that were in flight at the crash before anyone can read offsets or data.
    const recovering: Promise<void>[] = [];
    for (const [id, m] of this.txns) if (m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort) recovering.push(this.runCompletion(id));
    await Promise.all(recovering);
    const interval = this.deps.config.num('transaction.abort.timed.out.transaction.cleanup.interval.ms');
    this.timer = setInterval(() => this.tick(), Math.min(interval, 2 ** 31 - 1));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.deps.producerState.verifier) this.deps.producerState.verifier = null;
    await Promise.allSettled([...this.completing.values(), this.lastWrite]);
  }

  // ---- producer ids ----

  /** Makes sure one id is available (persisting a new block first when needed). */
  private async ensurePid(): Promise<void> {
    while (!this.pids.available()) {
      if (!this.pidBlockWrite) {
        const end = this.pids.nextBlockEnd();
        this.pidBlockWrite = this.log
          .append(0, [{ key: Buffer.from(PID_BLOCK_KEY, 'utf8'), value: encodePidBlock(end) }])
          .then(() => this.pids.extend(end))
          .finally(() => (this.pidBlockWrite = null));
      }
      await this.pidBlockWrite;
    }
  }

  /** A fresh producer id (InitProducerId without a transactional id: epoch 0). */
  async newProducerId(): Promise<bigint> {
    await this.ensurePid();
    return this.pids.take();
  }

  // ---- applying steps ----

  private setMeta(id: string, meta: TxnMetadata | undefined): void {
    const old = this.txns.get(id);
    if (old && this.byProducer.get(old.producerId) === id && old.producerId !== meta?.producerId) this.byProducer.delete(old.producerId);
    if (meta) {
      this.txns.set(id, meta);
      this.byProducer.set(meta.producerId, id);
    } else this.txns.delete(id);
  }

  /** Applies a step in memory now, writes its record, starts its completion once written; settles when durable. */
  private apply(id: string, step: Step): Promise<void> {
    this.setMeta(id, step.meta);
    if (step.write === null) return this.lastWrite; // answer no earlier than the state it saw is durable
    const value = step.write === 'tombstone' ? null : encodeTxnValue(step.write);
    const written = this.log.append(this.log.partitionFor(id), [{ key: txnRecordKey(id), value }]);
    this.lastWrite = written.catch(() => undefined);
    if (step.complete) written.then(() => this.runCompletion(id), () => undefined);
    return written;
  }

  private async answer(id: string, step: Step): Promise<number> {
    try {
      await this.apply(id, step);
      return step.errorCode;
    } catch (err) {
      this.deps.logger.error({ err, transactionalId: id }, 'writing transaction state failed');
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }

  // ---- requests ----

  async initProducerId(input: InitInput): Promise<InitResult> {
    await this.ensurePid();
    const step = initProducerId(this.txns.get(input.transactionalId), input, {
      now: this.now(),
      maxTimeoutMs: this.deps.config.num('transaction.max.timeout.ms'),
      freshProducerId: this.pids.peek(),
    });
    if (step.usedFreshProducerId) this.pids.take();
    const errorCode = await this.answer(input.transactionalId, step);
    if (errorCode !== ErrorCode.NONE) return { errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
    return { errorCode, producerId: step.producerId, producerEpoch: step.producerEpoch };
  }

  addPartitions(id: string, p: ProducerRef, partitions: ReadonlyArray<{ topic: string; partitions: readonly number[] }>): Promise<number> {
    return this.answer(id, addPartitionsToTxn(this.txns.get(id), p, partitions, this.now()));
  }

  addOffsets(id: string, p: ProducerRef, groupId: string): Promise<number> {
    return this.answer(id, addOffsetsToTxn(this.txns.get(id), p, groupId, this.now()));
  }

  txnOffsetCommit(id: string, p: ProducerRef, groupId: string, offsets: readonly PendingOffset[]): Promise<number> {
    return this.answer(id, txnOffsetCommit(this.txns.get(id), p, groupId, offsets, this.now()));
  }

  /** EndTxn: answered once the transaction is complete (markers written), or with the step's error. */
  async endTxn(id: string, p: ProducerRef, commit: boolean): Promise<number> {
    const step = endTxn(this.txns.get(id), p, commit, this.now());
    const code = await this.answer(id, step);
    if (code !== ErrorCode.NONE || !step.complete) return code;
    await this.completing.get(id); // best effort: answer once the markers are in, as far as they could be written
    return ErrorCode.NONE;
  }

  /** KIP-890: may producer `pid` at `epoch` start writing transactional data to topic-partition? */
  verify(topic: string, partition: number, pid: bigint, epoch: number): number {
    const id = this.byProducer.get(pid);
    const code = verifyPartition(id === undefined ? undefined : this.txns.get(id), { producerId: pid, producerEpoch: epoch }, topic, partition);
    return code === ErrorCode.INVALID_PRODUCER_ID_MAPPING ? ErrorCode.INVALID_TXN_STATE : code;
  }

  /**
   * Whether a running transaction holds offsets for this group partition that are not committed yet
   * (OffsetFetch with require_stable answers UNSTABLE_OFFSET_COMMIT then, as Kafka does).
   */
  hasPendingOffsets(groupId: string, topic: string, partition: number): boolean {
    for (const m of this.txns.values()) {
      if (m.state !== TxnState.Ongoing && m.state !== TxnState.PrepareCommit) continue;
      for (const g of m.groups) if (g.groupId === groupId && g.offsets.some((o) => o.topic === topic && o.partition === partition)) return true;
    }
    return false;
  }

  describe(id: string): TxnMetadata | undefined {
    return this.txns.get(id);
  }

  list(): IterableIterator<TxnMetadata> {
    return this.txns.values();
  }

  // ---- completion ----

  /** Writes the markers (and, on commit, the offsets) of a Prepare* transaction, then completes it. */
  private runCompletion(id: string): Promise<void> {
    const running = this.completing.get(id);
    if (running) return running;
    const p = this.complete(id)
      .catch((err: unknown) => this.deps.logger.error({ err, transactionalId: id }, 'completing transaction failed; will retry'))
      .finally(() => this.completing.delete(id));
    this.completing.set(id, p);
    return p;
  }

  private async complete(id: string): Promise<void> {
    const meta = this.txns.get(id);
    if (!meta || (meta.state !== TxnState.PrepareCommit && meta.state !== TxnState.PrepareAbort)) return;
    const commit = meta.state === TxnState.PrepareCommit;
    const coordinatorEpoch = this.log.coordinatorEpoch(this.log.partitionFor(id));
    const writes: Promise<unknown>[] = [];
    for (const [topic, partitions] of meta.partitions) {
      for (const partition of partitions) {
        const log = this.deps.storage.getPartition(topic, partition);
        if (!log) continue; // deleted since: nothing to mark
        const leaderEpoch = this.deps.topics.leaderEpoch(topic, partition) ?? 0;
        const marker = { producerId: meta.producerId, producerEpoch: meta.producerEpoch, commit, coordinatorEpoch };
        writes.push(
          this.deps.producerState.appendMarker(log, marker, leaderEpoch).then((r) => {
            if (r.errorCode !== ErrorCode.NONE) this.deps.logger.warn({ transactionalId: id, topic, partition, errorCode: r.errorCode }, 'transaction marker rejected; skipped');
          }),
        );
      }
    }
    await Promise.all(writes);
    if (commit && meta.groups.some((g) => g.offsets.length > 0)) {
      const sink = this.deps.offsetSink?.();
      if (!sink) throw new Error('no group coordinator to commit transactional offsets to');
      for (const g of meta.groups) if (g.offsets.length > 0) await sink.commitTransactionalOffsets(g.groupId, meta.producerId, g.offsets);
    }
    if (this.txns.get(id) !== meta) return;
    await this.apply(id, markersWritten(meta, this.now()));
  }

  // ---- timer ----

  /** Aborts timed-out transactions, expires idle ids, retries stuck completions. */
  tick(now = this.now()): void {
    if (this.stopped) return;
    const expirationMs = this.deps.config.num('transactional.id.expiration.ms');
    for (const [id, meta] of this.txns) {
      if (this.completing.has(id)) continue;
      if (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort) {
        this.runCompletion(id);
        continue;
      }
      const step = timeoutAbort(meta, now) ?? expire(meta, now, expirationMs);
      if (!step) continue;
      if (step.complete) this.deps.logger.info({ transactionalId: id, producerId: String(meta.producerId) }, 'aborting timed-out transaction');
      this.apply(id, step).catch((err: unknown) => this.deps.logger.error({ err, transactionalId: id }, 'transaction timer step failed'));
    }
  }
}
