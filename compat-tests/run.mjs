#!/usr/bin/env node
// Compatibility runner: starts a target broker, runs every client scenario against it, prints a scoreboard,
// writes compat-tests/RESULTS.md, exits 1 if any scenario failed.
//
//   npm run compat                                   # all clients against Brook (dist/ must be built)
//   npm run compat -- --target kafka                 # against Apache Kafka (proves the scenarios)
//   npm run compat -- --client kcat --client python  # some clients only (also --client kcat,python)
//   npm run compat -- --scenario gzip                # scenarios whose name contains "gzip"
//   npm run compat -- --bootstrap 127.0.0.1:9092     # a broker that is already running
//   npm run compat -- --list                         # list scenarios, run nothing
//
// Options: --timeout SECONDS (default per scenario 60; a scenario may set `compat: timeout=N`),
// --budget SECONDS (default 1200: scenarios not started by then fail as "not run", so a hung broker
// cannot eat CI's time),
// --results FILE (default compat-tests/RESULTS.md for brook, RESULTS-<target>.md otherwise; --no-results skips).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  directives,
  failureReason,
  fmtDuration,
  oneLine,
  scoreboardText,
  perClient,
  resultsMarkdown,
  summaryLine,
} from './lib/scoreboard.mjs';

const compatDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(compatDir, '..');
const cacheDir = process.env.COMPAT_CACHE || path.join(compatDir, '.cache');

function which(cmd) {
  try {
    execFileSync('bash', ['-c', `command -v ${cmd}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function pythonBin() {
  if (process.env.COMPAT_PYTHON) return process.env.COMPAT_PYTHON;
  const venv = path.join(cacheDir, 'venv', 'bin', 'python');
  return fs.existsSync(venv) ? venv : 'python3';
}

/**
 * Clients: where their scenarios live, how to run one, and how to tell the client is installed.
 * A scenario is any file with the client's extension in its folder whose name does not start with "_"
 * (helpers start with "_").
 */
const CLIENTS = {
  kcat: {
    ext: '.sh',
    command: (file) => ['bash', file],
    check: () => (which('kcat') ? null : 'kcat not installed (apt-get install -y kcat)'),
  },
  python: {
    ext: '.py',
    command: (file) => [pythonBin(), '-u', file],
    check: () => {
      try {
        execFileSync(pythonBin(), ['-c', 'import confluent_kafka'], { stdio: 'pipe' });
        return null;
      } catch {
        return `confluent-kafka not importable by ${pythonBin()} (see .ci/run)`;
      }
    },
  },
  kafkajs: {
    ext: '.mjs',
    command: (file) => [process.execPath, file],
    check: () =>
      fs.existsSync(path.join(repoRoot, 'node_modules', 'kafkajs')) ? null : 'kafkajs not installed (npm ci)',
  },
  java: {
    ext: '.sh',
    command: (file) => ['bash', file],
    check: () => (which('java') ? null : 'java not installed'),
  },
  go: {
    ext: '.sh',
    command: (file) => ['bash', file],
    check: () => (which('go') ? null : 'go not installed'),
  },
};

function discover(clients, filter) {
  const list = [];
  for (const client of clients) {
    const spec = CLIENTS[client];
    const dir = path.join(compatDir, client);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (!name.endsWith(spec.ext) || name.startsWith('_')) continue;
      const scenario = name.slice(0, -spec.ext.length);
      if (filter && !filter.some((f) => `${client}/${scenario}`.includes(f))) continue;
      const file = path.join(dir, name);
      list.push({ client, scenario, file, directives: directives(file) });
    }
  }
  return list;
}

function runScenario(sc, { bootstrap, target, timeoutSec, logDir, logDirs }) {
  const command = CLIENTS[sc.client].command(sc.file);
  const timeoutMs = 1000 * Number(sc.directives.timeout || timeoutSec);
  const id = crypto.randomBytes(3).toString('hex');
  const topic = `compat-${sc.client}-${sc.scenario}-${id}`.replace(/[^a-zA-Z0-9._-]/g, '-');
  const env = {
    ...process.env,
    BOOTSTRAP: bootstrap,
    TOPIC: topic,
    GROUP: `${topic}-group`,
    COMPAT_TARGET: target,
    COMPAT_DIR: compatDir,
    SCENARIO_TIMEOUT: String(timeoutMs / 1000),
    KAFKA_TOOL: path.join(compatDir, 'kafka', 'tool.sh'),
    // The broker's log.dirs (kafka-dump-log, kafka-log-dirs scenarios); external brokers: set LOG_DIRS yourself.
    LOG_DIRS: logDirs || process.env.LOG_DIRS || '',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  const logFile = path.join(logDir, sc.client, `${sc.scenario}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), {
      cwd: path.dirname(sc.file),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills the whole scenario
    });
    let output = '';
    const collect = (d) => {
      output += d.toString();
      if (output.length > 4 * 1024 * 1024) output = output.slice(-2 * 1024 * 1024);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('error', (e) => collect(`FAIL: could not start ${command[0]}: ${e.message}\n`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - t0;
      fs.mkdirSync(path.dirname(logFile), { recursive: true });
      fs.writeFileSync(logFile, `$ ${command.join(' ')}\n# TOPIC=${topic} BOOTSTRAP=${bootstrap}\n${output}`);
      let status = code === 0 && !timedOut ? 'PASS' : 'FAIL';
      let reason = '';
      if (timedOut) reason = `timeout after ${timeoutMs / 1000}s; last output: ${failureReason(output)}`;
      else if (status === 'FAIL') reason = `exit ${code ?? signal}: ${failureReason(output)}`;
      resolve({ ...sc, status, reason, ms, logFile, topic });
    });
  });
}

function clientVersions(clients) {
  const v = [];
  const tryRun = (label, cmd, args) => {
    try {
      v.push(`${label} ${execFileSync(cmd, args, { stdio: 'pipe', timeout: 20000 }).toString().trim()}`);
    } catch {
      /* not installed */
    }
  };
  if (clients.includes('kcat')) {
    try {
      const out = execFileSync('kcat', ['-V'], { stdio: 'pipe' }).toString();
      const m = out.match(/Version (\S+) .*?librdkafka (\S+)/s);
      if (m) v.push(`kcat ${m[1]} (librdkafka ${m[2]})`);
    } catch {
      /* not installed */
    }
  }
  if (clients.includes('python'))
    tryRun('confluent-kafka', pythonBin(), [
      '-c',
      'import confluent_kafka as c; v = c.version(); v = v[0] if isinstance(v, tuple) else v; print(v, "(librdkafka " + c.libversion()[0] + ")")',
    ]);
  if (clients.includes('kafkajs')) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', 'kafkajs', 'package.json'), 'utf8'));
      v.push(`kafkajs ${pkg.version}`);
    } catch {
      /* not installed */
    }
  }
  return v;
}

/** Points `link` at `dir` atomically (a directory left there by older runners is replaced). */
function linkLatest(link, dir) {
  try {
    if (fs.existsSync(link) && !fs.lstatSync(link).isSymbolicLink()) fs.rmSync(link, { recursive: true, force: true });
    const tmp = `${link}.${process.pid}.tmp`;
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(path.relative(path.dirname(link), dir), tmp);
    fs.renameSync(tmp, link);
  } catch {
    /* best effort: the run's own directory is what matters */
  }
}

/** Keeps the newest `keep` run directories of a target. */
function pruneRuns(runsDir, target, keep) {
  const mine = fs
    .readdirSync(runsDir)
    .filter((d) => d.startsWith(`${target}-`))
    .map((d) => ({ d, t: fs.statSync(path.join(runsDir, d)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { d } of mine.slice(keep)) fs.rmSync(path.join(runsDir, d), { recursive: true, force: true });
}

async function startTarget(target, { bootstrap }) {
  if (bootstrap) return { bootstrap, running: () => true, stop: async () => {}, detail: `external ${bootstrap}` };
  if (target === 'kafka') {
    const { start, KAFKA_VERSION } = await import('./kafka/kafka.mjs');
    const k = await start({});
    return { ...k, logDirs: path.join(k.dataDir, 'logs'), detail: `Apache Kafka ${KAFKA_VERSION}, single-node KRaft` };
  }
  if (target === 'brook') {
    const { start } = await import('./brook.mjs');
    const b = await start({});
    return { ...b, logDirs: path.join(b.dataDir, 'data'), detail: 'node dist/cli/main.js start' };
  }
  throw new Error(`unknown --target ${target} (brook|kafka)`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      client: { type: 'string', multiple: true },
      target: { type: 'string', default: 'brook' },
      scenario: { type: 'string', multiple: true },
      bootstrap: { type: 'string' },
      timeout: { type: 'string', default: '60' },
      budget: { type: 'string', default: '1200' },
      results: { type: 'string' },
      'no-results': { type: 'boolean' },
      list: { type: 'boolean' },
    },
  });
  const clients = values.client ? values.client.flatMap((c) => c.split(',')).filter(Boolean) : Object.keys(CLIENTS);
  for (const c of clients) if (!CLIENTS[c]) throw new Error(`unknown --client ${c} (${Object.keys(CLIENTS).join('|')})`);
  const scenarios = discover(clients, values.scenario);
  if (values.list) {
    for (const s of scenarios) console.log(`${s.client}/${s.scenario}${s.directives.needs ? `  [needs ${s.directives.needs}]` : ''}`);
    return 0;
  }
  if (!scenarios.length) {
    console.error('compat: no scenarios matched');
    return 1;
  }

  const t0 = Date.now();
  const budgetMs = 1000 * Number(values.budget);
  // Each run logs into its own directory (concurrent runs must not delete each other's logs);
  // .cache/logs/<target> is a symlink to the latest one, updated at the start and the end of the run.
  const runsDir = path.join(cacheDir, 'logs', 'runs');
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const logDir = path.join(runsDir, `${values.target}-${stamp}-${process.pid}`);
  fs.mkdirSync(logDir, { recursive: true });
  const latestLink = path.join(cacheDir, 'logs', values.target);
  linkLatest(latestLink, logDir);
  pruneRuns(runsDir, values.target, 5);
  const results = [];
  const usedClients = [...new Set(scenarios.map((s) => s.client))];
  const missing = Object.fromEntries(usedClients.map((c) => [c, CLIENTS[c].check()]));

  console.log(`compat: ${scenarios.length} scenarios, clients ${usedClients.join(', ')}, target ${values.target}`);
  let target;
  let targetError = null;
  try {
    target = await startTarget(values.target, { bootstrap: values.bootstrap });
    console.log(`compat: target ${values.target} at ${target.bootstrap} (${target.detail})`);
  } catch (e) {
    targetError = `target ${values.target} did not start: ${e.message.split('\n')[0]}`;
    console.log(`compat: ${targetError}`);
    if (e.message.includes('\n')) console.log(e.message.split('\n').slice(1).join('\n'));
  }

  const stopTarget = async () => {
    if (!target) return;
    const t = target;
    target = null;
    // Keep the broker's log beside the scenario logs (the launcher removes its temp dir on stop).
    if (t.logFile && fs.existsSync(t.logFile)) {
      fs.mkdirSync(logDir, { recursive: true });
      fs.copyFileSync(t.logFile, path.join(logDir, 'broker.log'));
    }
    await t.stop();
  };
  process.on('SIGINT', async () => {
    await stopTarget();
    process.exit(130);
  });
  process.on('SIGTERM', async () => {
    await stopTarget();
    process.exit(143);
  });

  try {
    for (const sc of scenarios) {
      let r;
      if (targetError) r = { ...sc, status: 'FAIL', reason: targetError, ms: 0 };
      else if (missing[sc.client]) r = { ...sc, status: 'FAIL', reason: `client unavailable: ${missing[sc.client]}`, ms: 0 };
      else if (!target.running()) r = { ...sc, status: 'FAIL', reason: 'target process has exited', ms: 0 };
      else if (Date.now() - t0 > budgetMs)
        r = { ...sc, status: 'FAIL', reason: `not run: suite budget of ${budgetMs / 1000}s used up`, ms: 0 };
      else
        r = await runScenario(sc, {
          bootstrap: target.bootstrap,
          target: values.target,
          timeoutSec: Number(values.timeout),
          logDir,
          logDirs: target.logDirs,
        });
      results.push(r);
      const tag = r.directives.needs ? ` [needs ${r.directives.needs}]` : '';
      console.log(
        `${r.status === 'PASS' ? 'PASS' : 'FAIL'}  ${r.client}/${r.scenario}${tag}  ${fmtDuration(r.ms)}${r.reason ? `  ${oneLine(r.reason)}` : ''}`,
      );
      if (r.status !== 'PASS' && r.logFile) console.log(`      log: ${path.relative(repoRoot, r.logFile)}`);
    }
  } finally {
    await stopTarget();
  }

  linkLatest(latestLink, logDir);
  const passed = results.filter((r) => r.status === 'PASS').length;
  const failed = results.length - passed;
  const ms = Date.now() - t0;
  console.log('');
  console.log(scoreboardText(results));
  console.log('');
  for (const [client, c] of perClient(results)) console.log(`  ${client.padEnd(8)} ${c.pass}/${c.pass + c.fail} pass`);
  if (!values['no-results']) {
    // Brook's scoreboard is RESULTS.md; other targets get their own file (RESULTS-kafka.md is the proof that
    // the scenarios assert Apache Kafka's behaviour).
    values.results ||= path.join(compatDir, values.target === 'brook' ? 'RESULTS.md' : `RESULTS-${values.target}.md`);
    const md = resultsMarkdown(results, {
      target: values.target,
      targetDetail: targetError || target?.detail || (values.bootstrap ? `external ${values.bootstrap}` : ''),
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      host: `${os.platform()} ${os.arch()}, ${os.cpus().length} cores, node ${process.version}`,
      clientVersions: clientVersions(usedClients),
      passed,
      failed,
      ms,
    });
    fs.writeFileSync(values.results, md);
    console.log(`  results: ${path.relative(process.cwd(), values.results)}; logs: ${path.relative(process.cwd(), latestLink)}/`);
  }
  // The closing line CI reads: "compat: N passed, N failed".
  console.log(summaryLine(results));
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`compat: ${e.stack || e}`);
    process.exit(2);
  },
);
