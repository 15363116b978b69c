/**
 * The group coordinator service: owns the state, runs the pure transitions against it, turns their
 * replies into the promises handlers wait on (JoinGroup, SyncGroup), writes their records to
 * __consumer_offsets and keeps one timer per group at the group's next deadline (nextDeadline).
 * Offset changes reach the state only by replaying their records once the append is durable.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../../metadata/broker-config.js';
import type { TopicManager } from '../../metadata/topics.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { StorageEngine } from '../../storage/engine.js';
import { deleteGroup, describeGroup, listGroups, type DescribedGroup, type ListedGroup } from './admin.js';
import { heartbeat, leaveGroup, tick, type HeartbeatInput, type LeaveMember, type LeaveResult } from './heartbeat-leave.js';
import { joinGroup, type JoinInput } from './join.js';
import { commitOffsets, deleteOffsets, expireOffsets, fetchOffsets, validateCommit, type CommitInput, type TopicResult } from './offsets.js';
import { OffsetsLog } from './offsets-log.js';
import { applyRecord, emptyState } from './persistence.js';
import { joinError, nextDeadline } from './state.js';
import { syncGroup, type SyncInput } from './sync.js';
import type { CoordinatorRecord, CoordinatorState, Group, GroupConfig, JoinReply, Outcome, Reply, SyncReply } from './types.js';
import { EMPTY } from './types.js';

export interface GroupCoordinatorDeps {
  topics: TopicManager;
  storage: StorageEngine;
  config: BrokerConfig;
  logger: Logger;
  clock: { now(): number };
  /**
   * A group entered PreparingRebalance (with the members that must rejoin), or left it (null):
   * wakes the members' long-polling Fetches.
   */
  onRebalance?: (groupId: string, members: ReadonlyArray<{ clientId: string; clientHost: string }> | null) => void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export function groupConfigFrom(config: BrokerConfig): GroupConfig {
  return {
    minSessionTimeoutMs: config.num('group.min.session.timeout.ms'),
    maxSessionTimeoutMs: config.num('group.max.session.timeout.ms'),
    initialRebalanceDelayMs: config.num('group.initial.rebalance.delay.ms'),
    maxSize: config.num('group.max.size'),
    offsetsRetentionMs: config.num('offsets.retention.minutes') * 60_000,
  };
}

export class GroupCoordinator {
  readonly cfg: GroupConfig;
  private state: CoordinatorState = emptyState();
  private readonly log: OffsetsLog;
  private readonly waiters = new Map<number, (r: Reply) => void>();
  private nextWaiter = 1;
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private retention: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly deps: GroupCoordinatorDeps) {
    this.cfg = groupConfigFrom(deps.config);
    this.log = new OffsetsLog(deps.topics, deps.storage, deps.config, deps.logger);
  }

  /** Replays __consumer_offsets and starts the offset retention timer. */
  async start(): Promise<void> {
    const now = this.deps.clock.now();
    const records = await this.log.replay(this.state, now);
    for (const id of this.state.groups.keys()) this.schedule(id);
    if (records > 0) this.deps.logger.info({ records, groups: this.state.groups.size }, 'group coordinator loaded __consumer_offsets');
    const interval = Math.min(this.deps.config.num('offsets.retention.check.interval.ms'), MAX_TIMER_MS);
    this.retention = setInterval(() => void this.expireOffsets(), interval);
    this.retention.unref();
  }

  /** Stops the timers; requests still waiting get COORDINATOR_NOT_AVAILABLE. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retention) clearInterval(this.retention);
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    for (const [waiter, resolve] of [...this.waiters]) {
      resolve({ waiter, kind: 'join', response: joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE) });
    }
    this.waiters.clear();
  }

  /** Read-only view (tests, DescribeGroups). */
  group(groupId: string): Group | undefined {
    return this.state.groups.get(groupId);
  }

  partitionFor(groupId: string): number {
    return this.log.partitionFor(groupId);
  }

  private run<R>(groupId: string, transition: (g: Group | undefined, now: number) => Outcome<R>): R {
    const before = this.state.groups.get(groupId)?.state;
    const out = transition(this.state.groups.get(groupId), this.deps.clock.now());
    if (out.group) this.state.groups.set(groupId, out.group);
    else this.state.groups.delete(groupId);
    const preparing = out.group?.state === 'PreparingRebalance';
    if (preparing && before !== 'PreparingRebalance') this.deps.onRebalance?.(groupId, [...out.group!.members.values()]);
    else if (!preparing && before === 'PreparingRebalance') this.deps.onRebalance?.(groupId, null);
    for (const r of out.replies) {
      const resolve = this.waiters.get(r.waiter);
      this.waiters.delete(r.waiter);
      resolve?.(r);
    }
    if (out.records.length > 0) this.persist(groupId, out.records);
    this.schedule(groupId);
    return out.result;
  }

  /** Group snapshots: the group in memory is already ahead, so the write is not waited for. */
  private persist(groupId: string, records: CoordinatorRecord[]): void {
    this.log.append(groupId, records, this.deps.clock.now()).catch((err) => this.deps.logger.error({ err, groupId }, 'writing group metadata failed'));
  }

  private schedule(groupId: string): void {
    if (this.stopped) return;
    const g = this.state.groups.get(groupId);
    const at = g ? nextDeadline(g) : null;
    const current = this.timers.get(groupId);
    if (at === null) {
      if (current) clearTimeout(current.timer);
      this.timers.delete(groupId);
      return;
    }
    if (current && current.at <= at) return; // fires first and reschedules
    if (current) clearTimeout(current.timer);
    const delay = Math.min(Math.max(0, at - this.deps.clock.now()), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      this.timers.delete(groupId);
      if (this.state.groups.has(groupId)) this.run(groupId, (g2, now) => ({ ...tick(g2!, now, this.cfg), result: undefined }));
    }, delay);
    timer.unref();
    this.timers.set(groupId, { at, timer });
  }

  private wait<T>(signal: AbortSignal | undefined, onAbort: () => T, start: (waiter: number) => void): Promise<T | Reply> {
    return new Promise((resolve) => {
      const waiter = this.nextWaiter++;
      const abort = () => {
        this.waiters.delete(waiter);
        resolve(onAbort());
      };
      this.waiters.set(waiter, (r) => {
        signal?.removeEventListener('abort', abort);
        resolve(r);
      });
      signal?.addEventListener('abort', abort, { once: true });
      start(waiter);
    });
  }

  async join(input: Omit<JoinInput, 'waiter' | 'newMemberId'>, signal?: AbortSignal): Promise<JoinReply> {
    if (this.stopped) return joinError(input.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const newMemberId = `${input.clientId}-${randomUUID()}`;
    const r = await this.wait(signal, () => joinError(input.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE), (waiter) =>
      this.run(input.groupId, (g, now) => joinGroup(g, { ...input, waiter, newMemberId }, now, this.cfg)),
    );
    return 'kind' in r ? (r.response as JoinReply) : r;
  }

  async sync(input: Omit<SyncInput, 'waiter'>, signal?: AbortSignal): Promise<SyncReply> {
    const failed = (errorCode: number): SyncReply => ({ errorCode, assignment: EMPTY, protocolType: null, protocolName: null });
    if (this.stopped) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const r = await this.wait(signal, () => failed(ErrorCode.COORDINATOR_NOT_AVAILABLE), (waiter) =>
      this.run(input.groupId, (g, now) => syncGroup(g, { ...input, waiter }, now)),
    );
    if (!('kind' in r)) return r;
    return r.kind === 'sync' ? r.response : failed(r.response.errorCode ?? ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }

  heartbeat(input: HeartbeatInput): number {
    return this.run(input.groupId, (g, now) => heartbeat(g, input, now));
  }

  leave(groupId: string, members: LeaveMember[]): LeaveResult {
    return this.run(groupId, (g, now) => leaveGroup(g, members, now, this.cfg));
  }

  /** Writes the records (durably) and then applies them, as replay would. */
  private async write(groupId: string, records: CoordinatorRecord[]): Promise<number> {
    if (records.length === 0) return ErrorCode.NONE;
    const now = this.deps.clock.now();
    try {
      await this.log.append(groupId, records, now);
    } catch (err) {
      this.deps.logger.error({ err, groupId }, 'writing to __consumer_offsets failed');
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    for (const r of records) applyRecord(this.state, r, now, false);
    for (const id of new Set(records.map((r) => r.groupId))) this.schedule(id);
    return ErrorCode.NONE;
  }

  async commit(input: CommitInput, partitionExists: (topic: string, partition: number) => boolean): Promise<TopicResult[]> {
    const now = this.deps.clock.now();
    const g = this.state.groups.get(input.groupId);
    const { topics, records } = commitOffsets(g, input, now, partitionExists);
    // A commit from a member counts as a sign of life, as in Kafka.
    if (records.length > 0 && g?.members.has(input.memberId)) this.heartbeat({ groupId: input.groupId, generationId: input.generationId, memberId: input.memberId, groupInstanceId: input.groupInstanceId });
    const code = await this.write(input.groupId, records);
    if (code !== ErrorCode.NONE) for (const t of topics) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = code;
    return topics;
  }

  /** Transactional offsets made final by the transaction coordinator (TxnOffsetSink). */
  async commitTransactionalOffsets(groupId: string, _producerId: bigint, offsets: ReadonlyArray<{ topic: string; partition: number; offset: bigint; leaderEpoch: number; metadata: string | null }>): Promise<void> {
    const now = this.deps.clock.now();
    const records: CoordinatorRecord[] = offsets.map((o) => ({ type: 'offset', groupId, topic: o.topic, partition: o.partition, value: { offset: Number(o.offset), leaderEpoch: o.leaderEpoch, metadata: o.metadata ?? '', commitTimestamp: now } }));
    const code = await this.write(groupId, records);
    if (code !== ErrorCode.NONE) throw new Error(`writing transactional offsets of group ${groupId} failed`);
  }

  /** TxnOffsetCommit v3+ generation/member check (TxnOffsetValidator). */
  validateTxnCommit(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
    return validateCommit(this.state.groups.get(groupId), { groupId, generationId, memberId, groupInstanceId, topics: [] });
  }

  fetch(groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null) {
    return fetchOffsets(this.state.offsets.get(groupId), topics);
  }

  async deleteOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }>): Promise<{ errorCode: number; topics: TopicResult[] }> {
    const out = deleteOffsets(this.state.groups.get(groupId), this.state.offsets.get(groupId), groupId, topics);
    const code = await this.write(groupId, out.records);
    return { errorCode: code !== ErrorCode.NONE ? code : out.errorCode, topics: out.topics };
  }

  async deleteGroups(groupIds: string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
    return Promise.all(
      groupIds.map(async (groupId) => {
        const { errorCode, records } = deleteGroup(this.state, groupId);
        if (errorCode !== ErrorCode.NONE) return { groupId, errorCode };
        const g = this.state.groups.get(groupId)!;
        this.state.groups.set(groupId, { ...g, state: 'Dead' }); // no joins while the tombstones are written
        const code = await this.write(groupId, records);
        if (code !== ErrorCode.NONE) this.state.groups.set(groupId, g);
        return { groupId, errorCode: code };
      }),
    );
  }

  describe(groupIds: string[]): DescribedGroup[] {
    return groupIds.map((id) => describeGroup(this.state.groups.get(id), id));
  }

  list(statesFilter: readonly string[], typesFilter: readonly string[]): ListedGroup[] {
    return listGroups(this.state, statesFilter, typesFilter);
  }

  /** offsets.retention.minutes: one pass (the timer calls it every offsets.retention.check.interval.ms). */
  async expireOffsets(): Promise<void> {
    const records = expireOffsets(this.state.groups, this.state.offsets, this.deps.clock.now(), this.cfg.offsetsRetentionMs);
    const byGroup = new Map<string, CoordinatorRecord[]>();
    for (const r of records) byGroup.set(r.groupId, [...(byGroup.get(r.groupId) ?? []), r]);
    await Promise.all([...byGroup].map(([id, recs]) => this.write(id, recs)));
    if (records.length > 0) this.deps.logger.info({ records: records.length }, 'expired committed offsets');
  }
}
