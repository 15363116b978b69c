/**
 * How the broker and handlers reach the group coordinator: `services.extensions.get('groups')`.
 * startGroups() is called by broker.ts before the listeners open (replay of __consumer_offsets);
 * groupsOf() is what handlers call. The coordinator also registers itself with the transaction
 * coordinator as the sink for committed transactional offsets and the TxnOffsetCommit validator.
 */
import { FETCH_INTERRUPTS_KEY, FetchInterrupts } from '../../storage/service/fetch-interrupts.js';
import type { BrokerServices } from '../../handlers/types.js';
import { GroupCoordinator } from './coordinator.js';

export const GROUPS_KEY = 'groups';
const TXN_OFFSET_SINK_KEY = 'txnOffsetSink';
const TXN_OFFSET_VALIDATOR_KEY = 'txnOffsetValidator';

type Services = Pick<BrokerServices, 'extensions' | 'topics' | 'storage' | 'config' | 'logger' | 'clock'>;

/** The running group coordinator; throws if startGroups() was not called (a wiring error). */
export function groupsOf(services: Pick<BrokerServices, 'extensions'>): GroupCoordinator {
  const c = services.extensions.get(GROUPS_KEY) as GroupCoordinator | undefined;
  if (!c) throw new Error('the group coordinator is not started (startGroups)');
  return c;
}

/** For broker.ts: replays __consumer_offsets, registers the coordinator; returns the stop function. */
export async function startGroups(services: Services): Promise<() => Promise<void>> {
  const interrupts = new FetchInterrupts();
  services.extensions.set(FETCH_INTERRUPTS_KEY, interrupts);
  const coordinator = new GroupCoordinator({
    topics: services.topics,
    storage: services.storage,
    config: services.config,
    logger: services.logger,
    clock: services.clock,
    onRebalance: (groupId, members) => {
      if (members) interrupts.startRebalance(groupId, members.map((m) => FetchInterrupts.key(m.clientId, m.clientHost)));
      else interrupts.endRebalance(groupId);
    },
  });
  await coordinator.start();
  services.extensions.set(GROUPS_KEY, coordinator);
  services.extensions.set(TXN_OFFSET_SINK_KEY, { commitTransactionalOffsets: coordinator.commitTransactionalOffsets.bind(coordinator) });
  services.extensions.set(TXN_OFFSET_VALIDATOR_KEY, coordinator.validateTxnCommit.bind(coordinator));
  return () => coordinator.stop();
}
