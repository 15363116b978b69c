/**
 * Lets the group coordinator cut short the long-polling Fetches of a group's members when the group
 * starts to rebalance. Clients that heartbeat between fetches (kafkajs) otherwise hear of the
 * rebalance only once their Fetch's max_wait_ms has run out (5 s by default), and every other member
 * waits that long in JoinGroup for them. A Fetch may always be answered early with what there is, so
 * this changes no outcome, only how soon it comes. Members are matched by client.id and client host,
 * as JoinGroup recorded them: a neighbour with the same client.id on the same host may be woken too,
 * and simply fetches again. While the rebalance lasts, the members' new Fetches wait at most
 * REBALANCING_MAX_WAIT_MS, for a member that was between two fetches when it began.
 */
export const FETCH_INTERRUPTS_KEY = 'fetch-interrupts';
export const REBALANCING_MAX_WAIT_MS = 100;

export class FetchInterrupts {
  private readonly waiting = new Map<string, Set<() => void>>();
  /** Group id → its members' keys, while it prepares a rebalance. */
  private readonly groups = new Map<string, string[]>();
  /** Key → how many of its groups are preparing a rebalance. */
  private readonly rebalancing = new Map<string, number>();

  /** The key of a client: its client.id and the host JoinGroup reports (`/<address>`). */
  static key(clientId: string | null, clientHost: string): string {
    return `${clientId ?? ''}\u0000${clientHost}`;
  }

  /** Calls `fn` at the next interrupt of `key`; returns the unsubscribe function. */
  subscribe(key: string, fn: () => void): () => void {
    let set = this.waiting.get(key);
    if (!set) this.waiting.set(key, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.waiting.get(key) === set) this.waiting.delete(key);
    };
  }

  /** Wakes every Fetch waiting under `key`; returns how many there were. */
  interrupt(key: string): number {
    const set = this.waiting.get(key);
    if (!set) return 0;
    this.waiting.delete(key);
    for (const fn of set) fn();
    return set.size;
  }

  /** A group began to rebalance: wake its members' Fetches and keep their next ones short until it ends. */
  startRebalance(groupId: string, keys: string[]): void {
    this.endRebalance(groupId);
    this.groups.set(groupId, keys);
    for (const k of keys) {
      this.rebalancing.set(k, (this.rebalancing.get(k) ?? 0) + 1);
      this.interrupt(k);
    }
  }

  endRebalance(groupId: string): void {
    const keys = this.groups.get(groupId);
    if (!keys) return;
    this.groups.delete(groupId);
    for (const k of keys) {
      const n = (this.rebalancing.get(k) ?? 1) - 1;
      if (n > 0) this.rebalancing.set(k, n);
      else this.rebalancing.delete(k);
    }
  }

  /** Whether a group of this client is preparing a rebalance. */
  isRebalancing(key: string): boolean {
    return this.rebalancing.has(key);
  }

  /** Keys with a waiting Fetch (tests, metrics). */
  get size(): number {
    return this.waiting.size;
  }
}
