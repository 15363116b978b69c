/**
 * AlterReplicaLogDirs (key 34), v1-2 (Kafka 4.x's minimum is 1). Brook has one log directory: moving a
 * replica to it succeeds at once (it is already there), any other path is LOG_DIR_NOT_FOUND, an unknown
 * partition UNKNOWN_TOPIC_OR_PARTITION, as Kafka answers. No replica is ever moved.
 */
import { resolve } from 'node:path';
import { ErrorCode } from '../protocol/errors.js';
import type { AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse } from '../protocol/generated/034-alter-replica-log-dirs.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 34;
export const minVersion = 1;
export const maxVersion = 2;

export function handle(ctx: RequestContext, req: AlterReplicaLogDirsRequest): Init<AlterReplicaLogDirsResponse> {
  const { topics, config } = ctx.services;
  const logDir = resolve(config.logDirs[0]);
  const byTopic = new Map<string, Array<{ partitionIndex: number; errorCode: number }>>();
  for (const dir of req.dirs) {
    const known = resolve(dir.path) === logDir;
    for (const t of dir.topics) {
      const results = byTopic.get(t.name) ?? [];
      const count = topics.get(t.name)?.leaderEpochs.length ?? 0;
      for (const p of t.partitions) {
        const errorCode = p < 0 || p >= count ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : known ? ErrorCode.NONE : ErrorCode.LOG_DIR_NOT_FOUND;
        results.push({ partitionIndex: p, errorCode });
      }
      byTopic.set(t.name, results);
    }
  }
  return { throttleTimeMs: 0, results: [...byTopic].map(([topicName, partitions]) => ({ topicName, partitions })) };
}
