/**
 * How the broker and handlers reach the producer-state service and the transaction coordinator:
 * both live in `services.extensions` ('producerState', 'transactions'). startTransactions() is
 * called by broker.ts at start (replay, recovery, timers); the accessors also start them on first
 * use, so an embedder with its own wiring still works.
 *
 * The group coordinator may register `extensions.set('txnOffsetSink', sink)` (TxnOffsetSink) to
 * receive committed transactional offsets, and optionally 'txnOffsetValidator' to check
 * generation/member of TxnOffsetCommit v3+.
 */
import type { BrokerServices } from '../../handlers/types.js';
import { producerStateOf } from '../../storage/producer-state/service.js';
import { TransactionCoordinator, type TxnOffsetSink } from './service.js';

export const TRANSACTIONS_KEY = 'transactions';
export const TXN_OFFSET_SINK_KEY = 'txnOffsetSink';
export const TXN_OFFSET_VALIDATOR_KEY = 'txnOffsetValidator';
const STARTING_KEY = 'transactions.starting';
/** Kafka's producer.id.expiration.check.interval.ms default (not a broker config here). */
const PRODUCER_EXPIRATION_CHECK_MS = 600_000;

export { producerStateOf };

/** Checks generation/member/instance of a TxnOffsetCommit (v3+) against the group: NONE or an error code. */
export type TxnOffsetValidator = (groupId: string, generationId: number, memberId: string, groupInstanceId: string | null) => number;

type Services = Pick<BrokerServices, 'extensions' | 'topics' | 'storage' | 'config' | 'logger' | 'clock'>;

/** The running transaction coordinator (started on first call). */
export function transactionsOf(services: Services): Promise<TransactionCoordinator> {
  const running = services.extensions.get(TRANSACTIONS_KEY) as TransactionCoordinator | undefined;
  if (running) return Promise.resolve(running);
  let starting = services.extensions.get(STARTING_KEY) as Promise<TransactionCoordinator> | undefined;
  if (!starting) {
    const coordinator = new TransactionCoordinator({
      topics: services.topics,
      storage: services.storage,
      config: services.config,
      logger: services.logger,
      clock: services.clock,
      producerState: producerStateOf(services),
      offsetSink: () => services.extensions.get(TXN_OFFSET_SINK_KEY) as TxnOffsetSink | undefined,
    });
    starting = coordinator.start().then(() => {
      services.extensions.set(TRANSACTIONS_KEY, coordinator);
      services.extensions.delete(STARTING_KEY);
      return coordinator;
    });
    services.extensions.set(STARTING_KEY, starting);
  }
  return starting;
}

/** For broker.ts: start everything now; returns the stop function for shutdown. */
export async function startTransactions(services: Services): Promise<() => Promise<void>> {
  const ps = producerStateOf(services);
  const coordinator = await transactionsOf(services);
  const expiry = setInterval(() => ps.expireProducers(), PRODUCER_EXPIRATION_CHECK_MS);
  expiry.unref();
  return async () => {
    clearInterval(expiry);
    await coordinator.stop();
  };
}
