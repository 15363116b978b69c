// The machine: description (CPU, memory, kernel, versions) and its own limits measured in the same run:
// loopback TCP (one stream, Node sender → Node sink in another process), sequential disk write (dd with
// conv=fdatasync in the data dir's filesystem), fsync latency (4 KiB write + fdatasync, median/p99).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KAFKA_VERSION } from '../../compat-tests/kafka/kafka.mjs';
import { REPO_ROOT, percentile, run, startProc, median } from './util.mjs';

function sh(cmd, args) {
  try {
    const r = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    return (r.stdout.toString().trim() || r.stderr.toString().trim());
  } catch {
    return '?';
  }
}

export function machineInfo() {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] || os.cpus()[0]?.model || '?';
  const dirty = sh('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src']).length > 0;
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: Number(sh('nproc', [])) || os.availableParallelism(),
    memGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    cpu,
    loadavg: os.loadavg(),
    node: process.version,
    java: sh('java', ['-version']).split('\n')[0],
    kafka: KAFKA_VERSION,
    brookRev: sh('git', ['rev-parse', '--short', 'HEAD']) + (dirty ? ' (+ uncommitted changes in src/)' : ''),
  };
}

const SINK = `
const net = require('net');
const srv = net.createServer((s) => { let n = 0; s.on('data', (d) => { n += d.length; }); s.on('end', () => { s.end(String(n)); }); });
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
`;

/** One TCP stream over loopback, Node → Node (separate processes), for `seconds`. Returns MiB/s. */
export async function loopbackMiBps(seconds = 2) {
  let resolvePort;
  const portP = new Promise((r) => (resolvePort = r));
  const sink = startProc(process.execPath, ['-e', SINK], { onStdout: (s) => resolvePort(Number(s.trim())) });
  const port = await portP;
  const buf = Buffer.alloc(1 << 20, 1);
  const sock = net.connect({ port, host: '127.0.0.1' });
  await new Promise((r) => sock.once('connect', r));
  const t0 = performance.now();
  let sent = 0;
  await new Promise((resolve) => {
    const pump = () => {
      while (performance.now() - t0 < seconds * 1000) {
        sent += buf.length;
        if (!sock.write(buf)) return sock.once('drain', pump);
      }
      resolve();
    };
    pump();
  });
  const received = await new Promise((resolve) => {
    let reply = '';
    sock.on('data', (d) => (reply += d));
    sock.on('end', () => resolve(Number(reply)));
    sock.end();
  });
  const s = (performance.now() - t0) / 1000;
  try {
    process.kill(-sink.child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  return (received || sent) / s / 1048576;
}

/** dd if=/dev/zero bs=1M count=mib conv=fdatasync into dir. Returns MiB/s. */
export async function diskWriteMiBps(dir, mib = 512) {
  const f = path.join(dir, 'bench-dd.bin');
  const r = await run('dd', ['if=/dev/zero', `of=${f}`, 'bs=1M', `count=${mib}`, 'conv=fdatasync'], { timeoutMs: 300000 });
  fs.rmSync(f, { force: true });
  const m = /(\d+) bytes .* copied, ([\d.]+) s/.exec(r.stderr);
  if (!m) throw new Error(`dd: ${r.stderr}`);
  return +m[1] / +m[2] / 1048576;
}

/** n × (4 KiB write at the end of a file + fdatasync). Returns {medianMs, p99Ms}. */
export function fsyncLatency(dir, n = 300) {
  const f = path.join(dir, 'bench-fsync.bin');
  const fd = fs.openSync(f, 'w');
  const buf = Buffer.alloc(4096, 7);
  const lat = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      fs.writeSync(fd, buf);
      fs.fdatasyncSync(fd);
      lat.push(performance.now() - t);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(f, { force: true });
  }
  lat.sort((a, b) => a - b);
  return { medianMs: median(lat), p99Ms: percentile(lat, 99) };
}
