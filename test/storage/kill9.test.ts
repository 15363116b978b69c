/**
 * Crash test: a child process appends with `synced` durability and is killed with SIGKILL
 * mid-stream. After reopening, every acknowledged offset must be present and readable with a
 * valid CRC. The child runs the storage code compiled by tsc (vitest is not available there).
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileStorageEngine } from '../../src/storage/index.js';
import { parseChunks, tempDir } from './helpers.js';

const root = join(import.meta.dirname, '../..');
const compiled = join(root, 'node_modules/.cache/brook-storage-test');
let t: ReturnType<typeof tempDir>;

beforeAll(() => {
  // Compile only storage (and what it imports) so other folders' work in progress cannot break this.
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '--outDir', compiled, '--rootDir', join(root, 'src'),
      '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
      '--skipLibCheck', '--types', 'node', '--strict',
      join(root, 'src/storage/index.ts'),
    ],
    { cwd: root, stdio: 'inherit' },
  );
  t = tempDir('brook-kill9-');
});
afterAll(() => t?.cleanup());

it('every offset acknowledged with synced durability survives kill -9', async () => {
  for (let round = 0; round < 2; round++) {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures/append-child.mjs'), compiled, t.dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: [number, number][] = [];
    let buffered = '';
    const target = 300 + round * 100;
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}`))));
      child.stdout!.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const m = /^ack (\d+) (\d+)$/.exec(line);
          if (m) acked.push([Number(m[1]), Number(m[2])]);
        }
        if (acked.length >= target && !child.killed) child.kill('SIGKILL');
      });
    });
    expect(acked.length).toBeGreaterThanOrEqual(target);

    const engine = new FileStorageEngine({ dataDir: t.dir, tickMs: 0 });
    await engine.open();
    expect(engine.lastOpen.clean).toBe(false);
    const log = engine.getPartition('crash', 0)!;
    const maxAcked = Math.max(...acked.map((a) => a[1]));
    expect(log.logEndOffset()).toBeGreaterThan(maxAcked);
    for (const [base, last] of acked) {
      const batches = parseChunks((await log.read(base, 1, true)).chunks);
      expect(batches[0]).toMatchObject({ baseOffset: base, lastOffset: last, crcOk: true });
    }
    // Every batch from start to end is intact and contiguous.
    let off = 0;
    while (off < log.logEndOffset()) {
      const bs = parseChunks((await log.read(off, 1 << 20, true)).chunks);
      for (const b of bs) {
        expect(b.crcOk).toBe(true);
        expect(b.baseOffset).toBe(off);
        off = b.lastOffset + 1;
      }
    }
    await engine.close();
    // Next round: the child appends after the recovered tail, then dies again (no clean marker).
    const { unlinkSync } = await import('node:fs');
    unlinkSync(join(t.dir, '.brook-clean-shutdown'));
  }
});
