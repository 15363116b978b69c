/**
 * A real broker in a child process, for tests that kill it (SIGKILL) and start it again on the same
 * log.dirs: compile the CLI once into a private folder (so other work in progress in dist/ cannot
 * interfere), pick a free port, start `brook start --override ...` and wait until it accepts.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
// @ts-expect-error plain .mjs module without type declarations
import * as brookLauncher from '../../compat-tests/brook.mjs';

const root = join(import.meta.dirname, '../..');

/** Compiles src/ with tsc into node_modules/.cache/<name>; returns that folder. */
export function compileBroker(name: string): string {
  const out = join(root, 'node_modules/.cache', name);
  spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root, '--outDir', out], { cwd: root, stdio: 'ignore' });
  if (!existsSync(join(out, 'cli/main.js'))) throw new Error(`tsc did not produce ${out}/cli/main.js`);
  return out;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface ChildBrokerOptions {
  /** The folder compileBroker returned. */
  compiled: string;
  port: number;
  logDirs: string;
  /** More `--override key=value` (log.level defaults to warn). */
  overrides?: Record<string, string | number>;
  stdio?: StdioOptions;
  startTimeoutMs?: number;
}

/** The Node flags on the CLI's `#!/usr/bin/env -S node <flags>` line, as the shipped launchers pass them. */
export const cliNodeFlags: (mainJs: string) => string[] = brookLauncher.cliNodeFlags;

/** Starts the compiled CLI broker and resolves once its port accepts connections. */
export async function startChildBroker(o: ChildBrokerOptions): Promise<ChildProcess> {
  const props = { listeners: `PLAINTEXT://127.0.0.1:${o.port}`, 'log.dirs': o.logDirs, 'log.level': 'warn', ...o.overrides };
  const main = join(o.compiled, 'cli/main.js');
  const args = [...cliNodeFlags(main), main, 'start', ...Object.entries(props).flatMap(([k, v]) => ['--override', `${k}=${v}`])];
  const child = spawn(process.execPath, args, { stdio: o.stdio ?? ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + (o.startTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`broker exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((res) => {
      const s = connect({ host: '127.0.0.1', port: o.port }, () => (s.destroy(), res(true)));
      s.on('error', () => res(false));
    });
    if (up) return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('broker did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
