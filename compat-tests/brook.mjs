// Brook launcher: runs the built CLI (`npm run build` first) as a child process on 127.0.0.1.
//
//   import { start } from './compat-tests/brook.mjs';
//   const brook = await start({ port: 0, dataDir: undefined, extraProps: { 'num.partitions': 3 } });
//   brook.bootstrap;      // "127.0.0.1:40123"
//   await brook.stop();   // SIGTERM, SIGKILL after 20 s; removes the temp data dir
//
// Same shape as compat-tests/kafka/kafka.mjs start(), so the runner and bench/ can swap targets.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, portAnswers, waitUntil, stopChild } from './lib/proc.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// BROOK_CLI may point at another build of the CLI (e.g. a baseline checkout for bench/).
export const BROOK_CLI = process.env.BROOK_CLI || path.join(repoRoot, 'dist', 'cli', 'main.js');

/** The Node flags a CLI build asks for on its `#!/usr/bin/env -S node <flags>` line ([] if none). */
export function cliNodeFlags(cli = BROOK_CLI) {
  const first = fs.readFileSync(cli, 'utf8').split('\n', 1)[0];
  const m = /^#!.*\bnode((?:\s+--\S+)*)\s*$/.exec(first);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

/**
 * @param {object}  [opts]
 * @param {number}  [opts.port=0]           0 picks a free port
 * @param {string}  [opts.dataDir]          log.dirs; default a new temp dir (removed by stop() unless keepData)
 * @param {object}  [opts.extraProps]       more `--override key=value`
 * @param {string[]} [opts.nodeArgs]        extra node flags (e.g. ['--max-old-space-size=1024'])
 * @param {number}  [opts.timeoutMs=30000]
 * @param {boolean} [opts.keepData=false]
 * @returns {Promise<{bootstrap: string, port: number, dataDir: string, logFile: string, pid: number,
 *                    running: () => boolean, stop: () => Promise<void>}>}
 */
export async function start(opts = {}) {
  if (!fs.existsSync(BROOK_CLI)) {
    throw new Error(`${path.relative(process.cwd(), BROOK_CLI)} not found: run \`npm run build\` first`);
  }
  const port = opts.port || (await freePort());
  const ownsDir = !opts.dataDir;
  const dataDir = opts.dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'brook-compat-'));
  const logDir = path.join(dataDir, 'data');
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(dataDir, 'brook.log');

  const props = {
    listeners: `PLAINTEXT://127.0.0.1:${port}`,
    'log.dirs': logDir,
    // The same single-node test setting the Kafka launcher uses (kafka/kafka.mjs), so both targets
    // are compared alike and group scenarios don't wait 3 s for the first rebalance.
    'group.initial.rebalance.delay.ms': 0,
    ...(opts.extraProps || {}),
  };
  const args = [...cliNodeFlags(), ...(opts.nodeArgs || []), BROOK_CLI, 'start'];
  for (const [k, v] of Object.entries(props)) args.push('--override', `${k}=${v}`);

  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', out, out] });
  fs.closeSync(out);

  let stopped = false;
  const onExit = () => {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.on('exit', onExit);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', onExit);
    await stopChild(child, { graceMs: 20000 });
    if (ownsDir && !opts.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitUntil(`Brook on 127.0.0.1:${port}`, () => portAnswers(port), {
      timeoutMs: opts.timeoutMs || 30000,
      child,
      logFile,
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    dataDir,
    logFile,
    pid: child.pid,
    running: () => child.exitCode === null && child.signalCode === null,
    stop,
  };
}
