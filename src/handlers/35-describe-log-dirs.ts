/**
 * DescribeLogDirs (key 35), v1-4 (Kafka 4.x's minimum is 1): the one log directory (log.dirs) with the
 * size of every partition log in it (all topics when topics is null, only the requested existing
 * partitions otherwise), offset_lag 0 and is_future_key false (no replica moves); v4 adds the
 * filesystem's total and usable bytes (fs.statfs; -1 when unknown). Memory storage reports the
 * configured path with in-memory sizes.
 */
import { statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DescribeLogDirsRequest, DescribeLogDirsResponse } from '../protocol/generated/035-describe-log-dirs.js';
import type { Init } from '../protocol/primitives/index.js';
import type { RequestContext } from './types.js';

export const apiKey = 35;
export const minVersion = 1;
export const maxVersion = 4;

async function diskSpace(dir: string): Promise<{ totalBytes: bigint; usableBytes: bigint }> {
  try {
    const s = await statfs(dir, { bigint: true });
    return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
  } catch {
    return { totalBytes: -1n, usableBytes: -1n };
  }
}

export async function handle(ctx: RequestContext, req: DescribeLogDirsRequest, version: number): Promise<Init<DescribeLogDirsResponse>> {
  const { topics, storage, config } = ctx.services;
  const logDir = resolve(config.logDirs[0]);
  const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)]));
  const result = [];
  for (const t of topics.list().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const only = wanted?.get(t.name);
    if (wanted && !only) continue;
    const partitions = [];
    for (let p = 0; p < t.leaderEpochs.length; p++) {
      const log = storage.getPartition(t.name, p);
      if (!log || (only && !only.has(p))) continue;
      partitions.push({ partitionIndex: p, partitionSize: BigInt(log.sizeBytes()), offsetLag: 0n, isFutureKey: false });
    }
    if (partitions.length > 0 || !only) result.push({ name: t.name, partitions });
  }
  const space = version >= 4 ? await diskSpace(logDir) : {};
  return { throttleTimeMs: 0, errorCode: 0, results: [{ errorCode: 0, logDir, topics: result, ...space }] };
}
