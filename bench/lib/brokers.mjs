// Bench targets on top of the compat-tests launchers: Brook (dist/cli/main.js), Apache Kafka 4.3.1 with
// its defaults (no fsync), and Kafka with log.flush.interval.messages=1 (fsync per append, the honest
// comparison for Brook's acks=all). Each start gets a fresh data dir under the run's work dir and the
// same client port. Also restarts an existing data dir with our own spawn, to time start-up/recovery.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as brookLauncher from '../../compat-tests/brook.mjs';
import * as kafkaLauncher from '../../compat-tests/kafka/kafka.mjs';
import { cpuSeconds, memSampler, onCleanup, track, rmrf } from './util.mjs';
import { waitReady } from './wire.mjs';
import { stopChild } from '../../compat-tests/lib/proc.mjs';

export const TARGETS = {
  // Same group setting as the Kafka launcher writes (Brook's default is Kafka's 3000 ms).
  brook: { label: 'Brook', kind: 'brook', props: { 'group.initial.rebalance.delay.ms': 0 } },
  kafka: { label: 'Kafka', kind: 'kafka', props: {} },
  'kafka-flush1': { label: 'Kafka flush=1', kind: 'kafka', props: { 'log.flush.interval.messages': 1 } },
};

let seq = 0;

/** Extra node flags for Brook (run.mjs --cpu-prof sets ['--cpu-prof', '--cpu-prof-dir=…']). */
export const brookNodeArgs = [];

/**
 * Starts a target on `port` with a fresh data dir. Returns a handle with CPU/memory accounting:
 * {target, bootstrap, port, pid, dataDir, cpu() (seconds since start), peakRssMiB(), kill9(), stop()}.
 */
export async function startTarget(target, { port, workDir, extraProps = {} }) {
  const t = TARGETS[target];
  const dataDir = path.join(workDir, `${target}-${++seq}`);
  rmrf(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const props = { ...t.props, ...extraProps };
  let b;
  for (let attempt = 1; ; attempt++) {
    try {
      b =
        t.kind === 'brook'
          ? await brookLauncher.start({ port, dataDir, extraProps: props, keepData: true, nodeArgs: brookNodeArgs })
          : await kafkaLauncher.start({ port, dataDir, extraProps: props, keepData: true });
      break;
    } catch (e) {
      // The launcher's random cluster id is base64url: 1 in 32 starts with '-', which kafka-storage's
      // argument parser takes for an option ("usage: kafka-storage format …"). Retry with a new id.
      if (attempt >= 4 || !/kafka-storage format failed/.test(e.message)) throw e;
      rmrf(dataDir);
      fs.mkdirSync(dataDir, { recursive: true });
    }
  }
  const cpu0 = cpuSeconds(b.pid);
  const mem = memSampler(b.pid);
  const unreg = onCleanup(() => b.stop());
  let stopped = false;
  const h = {
    target,
    label: t.label,
    kind: t.kind,
    bootstrap: b.bootstrap,
    port,
    pid: b.pid,
    dataDir,
    props,
    configFile: b.configFile,
    cpu: () => cpuSeconds(b.pid) - cpu0,
    peakRssMiB: () => mem.peakMiB(),
    running: () => b.running(),
    kill9() {
      try {
        process.kill(b.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      mem.stop();
      stopped = true;
      unreg();
      return b.stop(); // resolves once the child has exited (no SIGTERM reaches a dead process)
    },
    async stop({ keep = false } = {}) {
      if (!stopped) {
        stopped = true;
        mem.stop();
        unreg();
        await b.stop();
      }
      if (!keep) rmrf(dataDir);
    },
  };
  return h;
}

/**
 * Starts the broker process again on h's data dir with our own spawn and times it:
 * {portMs, metadataMs} from spawn to port accepting / Metadata answered (with `topic` led if given).
 * Returns {timing, pid, cpu(), peakRssMiB(), stop()}.
 */
export async function restartTimed(h, { topic, timeoutMs = 600000 } = {}) {
  let cmd;
  let args;
  const logFile = path.join(h.dataDir, h.kind === 'brook' ? 'brook.log' : 'server.log');
  if (h.kind === 'brook') {
    cmd = process.execPath;
    args = [...brookLauncher.cliNodeFlags(), ...brookNodeArgs, brookLauncher.BROOK_CLI, 'start', '--override', `listeners=PLAINTEXT://127.0.0.1:${h.port}`, '--override', `log.dirs=${path.join(h.dataDir, 'data')}`];
    for (const [k, v] of Object.entries(h.props)) args.push('--override', `${k}=${v}`);
  } else {
    cmd = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
    args = kafkaLauncher.javaArgs('kafka.Kafka', [h.configFile], {
      heap: '1g',
      server: true,
      log4jFile: path.join(h.dataDir, 'log4j2.properties'),
    });
  }
  const out = fs.openSync(logFile, 'a');
  const t0 = performance.now();
  const child = track(spawn(cmd, args, { stdio: ['ignore', out, out], detached: true }));
  fs.closeSync(out);
  const cpu0 = cpuSeconds(child.pid);
  const mem = memSampler(child.pid);
  const stop = async ({ keep = false } = {}) => {
    mem.stop();
    unreg();
    await stopChild(child, { graceMs: 30000, group: true });
    if (!keep) rmrf(h.dataDir);
  };
  const unreg = onCleanup(stop);
  let timing;
  try {
    timing = await waitReady(h.port, t0, { topic, timeoutMs, child });
  } catch (e) {
    await stop();
    throw e;
  }
  return { timing, pid: child.pid, cpu: () => cpuSeconds(child.pid) - cpu0, peakRssMiB: () => mem.peakMiB(), stop };
}
