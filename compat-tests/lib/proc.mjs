// Small process/network helpers shared by the launchers (Kafka, Brook) and the runner.
import net from 'node:net';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves true when a TCP connection to host:port succeeds. */
export function portAnswers(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Polls until `check()` is truthy. Fails early when `child` exits, with the tail of `logFile`.
 */
export async function waitUntil(what, check, { timeoutMs, child, logFile, intervalMs = 200 }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`${what}: process exited with code ${child.exitCode} before it was ready${logTail(logFile)}`);
    }
    if (child && child.signalCode !== null) {
      throw new Error(`${what}: process killed by ${child.signalCode} before it was ready${logTail(logFile)}`);
    }
    if (await check()) return;
    await sleep(intervalMs);
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms${logTail(logFile)}`);
}

export function logTail(logFile, lines = 30) {
  if (!logFile) return '';
  try {
    const text = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n');
    return `\n--- last lines of ${logFile} ---\n${text.slice(-lines).join('\n')}`;
  } catch {
    return '';
  }
}

/**
 * Stops a child: SIGTERM, then SIGKILL after graceMs. Resolves once it has exited.
 * The child must have been spawned with detached:true when `group` is set (kills its process group).
 */
export function stopChild(child, { graceMs = 20000, group = false } = {}) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = (sig) => {
      try {
        if (group) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    kill('SIGTERM');
  });
}
