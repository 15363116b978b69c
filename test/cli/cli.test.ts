import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliNodeFlags } from '../helpers/child-broker.js';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'dist', 'cli', 'main.js');

beforeAll(() => {
  // The CLI runs from dist/: build it (errors in unrelated files do not stop tsc from emitting).
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'pipe' });
  } catch {
    // type errors elsewhere: the files were still emitted
  }
}, 180_000);

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [main, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('brook CLI', () => {
  it('exits 2 with a message for a bad config value', async () => {
    const p = run(['start', '--override', 'node.id=abc']);
    expect(await p.exited).toBe(2);
    expect(p.err()).toMatch(/node\.id/);
    expect(p.err()).toMatch(/abc/);
  });

  it('prints help', async () => {
    const p = run(['--help']);
    expect(await p.exited).toBe(0);
    expect(p.out()).toMatch(/Usage: brook/);
    expect(p.out()).toMatch(/--override/);
  });

  it('runs under the Node flags on its #! line, and npm start passes the same flags', async () => {
    const flags = cliNodeFlags(main);
    expect(flags).toContain('--max-semi-space-size=4');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toContain(`node ${flags.join(' ')} dist/cli/main.js start`);
    const child = spawn(process.execPath, [...flags, '-e', 'console.log(require("v8").getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size)'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    expect(await new Promise((res) => child.on('exit', res))).toBe(0);
    expect(Number(out)).toBeLessThanOrEqual(8 * 1024 * 1024); // two 4 MiB semi-spaces at most
    const p = spawn(process.execPath, [...flags, main, '--help'], { stdio: 'ignore' });
    expect(await new Promise((res) => p.on('exit', res))).toBe(0);
  });

  it('starts, serves kafkajs, and shuts down cleanly on SIGTERM with exit 0', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'brook-cli-'));
    const p = run(['start', '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dir}`], { BROOK_LOG_LEVEL: 'info' });
    const deadline = Date.now() + 20_000;
    while (!p.out().includes('Brook started')) {
      if (Date.now() > deadline) throw new Error(`broker did not start: ${p.err()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await admin.connect();
    await admin.disconnect();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toMatch(/Brook stopped/);
  });
});
