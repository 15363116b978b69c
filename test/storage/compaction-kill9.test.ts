/**
 * Crash test for the cleaner: a child process cleans a copy of a log and is killed with SIGKILL at
 * random steps, several times on the same directory. Each time, reopening must find every latest
 * value, every kept record at its original offset, valid CRCs and no .cleaned/.swap leftovers.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, readdirSync, unlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_LOG_CONFIG } from '../../src/storage/engine.js';
import { FileStorageEngine } from '../../src/storage/index.js';
import { dumpLog, keyed } from './compaction-helpers.js';
import { tempDir } from './helpers.js';

const root = join(import.meta.dirname, '../..');
const compiled = join(root, 'node_modules/.cache/brook-compaction-test');
const SEGMENT_BYTES = 8 * 1024;
let t: ReturnType<typeof tempDir>;
const appended = new Map<number, string>();
const latest = new Map<string, string>();
let endOffset = 0;

beforeAll(async () => {
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '--outDir', compiled, '--rootDir', join(root, 'src'),
      '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
      '--skipLibCheck', '--types', 'node', '--strict',
      join(root, 'src/storage/index.ts'), join(root, 'src/storage/compaction/index.ts'),
    ],
    { cwd: root, stdio: 'inherit' },
  );
  t = tempDir('brook-compaction-kill9-');
  const engine = new FileStorageEngine({ dataDir: join(t.dir, 'template'), tickMs: 0 });
  await engine.open();
  const log = await engine.createPartition('kv', 0, { ...DEFAULT_LOG_CONFIG, segmentBytes: SEGMENT_BYTES, indexIntervalBytes: 1024 });
  let seq = 0;
  for (let b = 0; b < 3_000; b++) {
    const recs = Array.from({ length: 5 }, () => ({ key: `k${(seq * 31) % 400}`, value: `v${seq++}` }));
    if (b % 97 === 0) recs[0].value = null as unknown as string; // some tombstones
    const r = await log.append([keyed(recs)], 0, 'none');
    recs.forEach((rec, i) => {
      appended.set(r.baseOffset + i, `${rec.key}=${rec.value}`);
      latest.set(rec.key, `${rec.value}`);
    });
  }
  endOffset = log.logEndOffset();
  await engine.close();
}, 120_000);
afterAll(() => t?.cleanup());

async function runChild(dir: string, killAfterSteps: number): Promise<{ killed: boolean; steps: number }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures/clean-child.mjs'), compiled, dir, 'kv', String(SEGMENT_BYTES)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let steps = 0;
  let buffered = '';
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve({ killed: true, steps }) : reject(new Error(`child exited ${code}`))));
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('step ')) steps++;
        // Once a whole clean finished, a later one has nothing to change: stop there too.
        if ((steps >= killAfterSteps || line.startsWith('done 1')) && !child.killed) child.kill('SIGKILL');
      }
    });
  });
}

async function verify(dir: string): Promise<void> {
  const names = readdirSync(join(dir, 'kv-0'));
  const engine = new FileStorageEngine({ dataDir: dir, tickMs: 0 });
  await engine.open();
  try {
    expect(readdirSync(join(dir, 'kv-0')).filter((n) => /\.(cleaned|swap)$/.test(n))).toEqual([]);
    const log = engine.getPartition('kv', 0)!;
    expect(log.logEndOffset()).toBe(endOffset);
    const dump = await dumpLog(log);
    expect(dump.batches.every((b) => b.crcOk)).toBe(true);
    const seen = new Map<string, string>();
    for (const r of dump.records) {
      expect(appended.get(r.offset), `offset ${r.offset} (files before open: ${names.join(' ')})`).toBe(`${r.key}=${r.value}`);
      seen.set(r.key!, `${r.value}`);
    }
    // Every key's latest value is there (a deleted key may be gone entirely once its tombstone went).
    for (const [key, value] of latest) {
      if (value === 'null') expect(seen.get(key) ?? 'null').toBe('null');
      else expect(seen.get(key), key).toBe(value);
    }
  } finally {
    await engine.close();
  }
}

it('a cleaner killed with SIGKILL at random points loses nothing and leaves no half-swapped segment', async () => {
  let kills = 0;
  for (let copy = 0; copy < 2; copy++) {
    const dir = join(t.dir, `copy${copy}`);
    cpSync(join(t.dir, 'template'), dir, { recursive: true });
    for (let round = 0; round < 3; round++) {
      const marker = join(dir, '.brook-clean-shutdown');
      if (round > 0 && existsSync(marker)) unlinkSync(marker); // the child died: no clean shutdown
      const { steps } = await runChild(dir, 1 + Math.floor(Math.random() * 60));
      if (steps > 0) kills++;
      await verify(dir);
    }
  }
  expect(kills).toBeGreaterThanOrEqual(3);
}, 180_000);
