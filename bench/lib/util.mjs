// Shared helpers for bench/run.mjs: child processes in their own process groups (killed on exit,
// Ctrl-C and errors), /proc sampling of a broker's CPU and memory, statistics, logging.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');
export const CACHE = path.join(BENCH_DIR, '.cache');
export { sleep };

const t0 = Date.now();
export function log(...a) {
  const s = ((Date.now() - t0) / 1000).toFixed(0).padStart(5);
  console.log(`[${s}s]`, ...a);
}

// ---- child processes -------------------------------------------------------------------------

/** Every process group we started and have not seen exit; killed by killAll(). */
const live = new Set();
/** Extra cleanup functions (broker stop()s) run on Ctrl-C / fatal errors. */
const cleanups = new Set();

export function onCleanup(fn) {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Registers a child spawned elsewhere (detached: true) so killAll() reaches its process group. */
export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export function killAll() {
  for (const child of live) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  live.clear();
}

let handlersInstalled = false;
export function installSignalHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAll);
  const bail = async (sig) => {
    console.error(`\nbench: ${sig}, stopping brokers and clients`);
    killAll();
    await Promise.race([Promise.allSettled([...cleanups].map((f) => f())), sleep(35000)]);
    process.exit(130);
  };
  process.on('SIGINT', () => bail('SIGINT'));
  process.on('SIGTERM', () => bail('SIGTERM'));
}

/**
 * Spawns a command in its own process group, captures stdout/stderr (tail-limited).
 * Returns {child, done} where done resolves {code, signal, stdout, stderr, ms, startedAt, endedAt}.
 */
export function startProc(cmd, args, { env, cwd, timeoutMs = 600000, input, onStdout } = {}) {
  const startedAt = performance.now();
  const child = spawn(cmd, args, {
    cwd: cwd || REPO_ROOT,
    env: { ...process.env, ...(env || {}) },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  const cap = 4 << 20;
  child.stdout.on('data', (d) => {
    const s = d.toString();
    stdout = (stdout + s).slice(-cap);
    onStdout?.(s);
  });
  child.stderr.on('data', (d) => (stderr = (stderr + d.toString()).slice(-cap)));
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, timeoutMs);
  const done = new Promise((resolve) => {
    child.on('error', (e) => {
      stderr += String(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      const endedAt = performance.now();
      resolve({ code: timedOut ? 124 : code, signal, stdout, stderr, ms: endedAt - startedAt, startedAt, endedAt, timedOut });
    });
  });
  return { child, done };
}

/** Runs to completion; throws with the output tail on a non-zero exit. */
export async function run(cmd, args, opts = {}) {
  const r = await startProc(cmd, args, opts).done;
  if (r.code !== 0 && !opts.allowFail) {
    const tail = (r.stderr + '\n' + r.stdout).trim().split('\n').slice(-15).join('\n');
    throw new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(' ')}… exited ${r.timedOut ? 'by timeout' : r.code}:\n${tail}`);
  }
  return r;
}

export function killGroup(child, sig = 'SIGTERM') {
  try {
    process.kill(-child.pid, sig);
  } catch {
    /* gone */
  }
}

// ---- /proc -------------------------------------------------------------------------------

const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64/arm64

/** utime+stime (seconds) of a process; NaN when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // fields 14, 15 of stat(5)
  } catch {
    return NaN;
  }
}

export function memKiB(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** Samples VmRSS every intervalMs and keeps VmHWM; .stop() returns {peakRssMiB}. */
export function memSampler(pid, intervalMs = 500) {
  let peak = 0;
  const tick = () => {
    const m = memKiB(pid);
    peak = Math.max(peak, m.rss || 0, m.hwm || 0);
  };
  tick();
  const t = setInterval(tick, intervalMs);
  t.unref();
  return {
    peakMiB: () => (tick(), peak / 1024),
    stop() {
      tick();
      clearInterval(t);
      return peak / 1024;
    },
  };
}

// ---- statistics ------------------------------------------------------------------------------

export function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(xs) {
  const v = xs.filter((x) => Number.isFinite(x));
  return { median: median(v), min: v.length ? Math.min(...v) : NaN, max: v.length ? Math.max(...v) : NaN, n: v.length };
}

export function fmt(x, digits) {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  const d = digits ?? (a >= 1000 ? 0 : a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export function rmrf(p) {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    /* ignore */
  }
}
