/** The memory storage engine: partitions live as long as the process. */
import type { LogConfig, PartitionLog, StorageEngine } from '../engine.js';
import { MemoryPartitionLog } from './partition-log.js';

export class MemoryStorageEngine implements StorageEngine {
  private readonly logs = new Map<string, MemoryPartitionLog>();

  constructor(private readonly now: () => number = Date.now) {}

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  partitions(): PartitionLog[] {
    return [...this.logs.values()];
  }

  getPartition(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(`${topic}-${partition}`);
  }

  async createPartition(topic: string, partition: number, config: LogConfig): Promise<PartitionLog> {
    const key = `${topic}-${partition}`;
    let log = this.logs.get(key);
    if (log) log.updateConfig(config);
    else {
      log = new MemoryPartitionLog(topic, partition, config, this.now);
      this.logs.set(key, log);
    }
    return log;
  }

  async deletePartition(topic: string, partition: number): Promise<void> {
    this.logs.delete(`${topic}-${partition}`);
  }
}
