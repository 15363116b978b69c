/**
 * Kafka's offset checkpoint files (recovery-point-offset-checkpoint, log-start-offset-checkpoint):
 *   0            format version
 *   <count>
 *   <topic> <partition> <offset>   one line per partition
 * Written crash-safely (temp file, fsync, rename, fsync dir). A malformed file reads as empty.
 */
import type { StorageFs } from './fs.js';
import { writeFileAtomic } from './fs.js';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_CHECKPOINT = 'log-start-offset-checkpoint';

export type CheckpointMap = Map<string, number>; // key: `${topic}-${partition}`

export async function readCheckpoint(fs: StorageFs, path: string): Promise<CheckpointMap> {
  const map: CheckpointMap = new Map();
  const buf = await fs.readFile(path);
  if (!buf) return map;
  const lines = buf.toString('utf8').split('\n');
  if (lines[0]?.trim() !== '0') return map;
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0) return map;
  for (let i = 0; i < count; i++) {
    const parts = (lines[2 + i] ?? '').trim().split(' ');
    if (parts.length !== 3) return new Map();
    const [topic, partition, offset] = parts;
    const p = Number(partition);
    const o = Number(offset);
    if (!Number.isInteger(p) || !Number.isInteger(o)) return new Map();
    map.set(`${topic}-${p}`, o);
  }
  return map;
}

export async function writeCheckpoint(
  fs: StorageFs,
  path: string,
  entries: Iterable<{ topic: string; partition: number; offset: number }>,
): Promise<void> {
  const lines: string[] = [];
  for (const e of entries) lines.push(`${e.topic} ${e.partition} ${e.offset}`);
  const text = `0\n${lines.length}\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
  await writeFileAtomic(fs, path, Buffer.from(text, 'utf8'));
}
