#!/usr/bin/env node
// Brook vs Apache Kafka, side by side (issue 8). `npm run bench [-- options]`:
//   --quick              1 round, small sizes (under ~10 minutes on 2 cores)
//   --rounds N           rounds per workload (default 3; --quick: 1)
//   --only a,b           only these workloads (repeatable): producer durability consumer e2e clients group startup recovery
//   --no-idempotence     Java producers with enable.idempotence=false (default: probe Brook, fall back if needed)
//   --skip-build         do not run `npm run build` first
//   --no-limits          skip the machine-limit measurements
//   --out FILE           report path (default bench/RESULTS.md; plots go next to it)
//   --report-only JSON   rewrite the report from a saved bench/.cache/run-*.json
//   --targets a,b        only these brokers: brook, kafka, kafka-flush1 (e.g. with --cpu-prof)
//   --cpu-prof           run Brook under node --cpu-prof (profiles in bench/.cache/prof/)
//   --kafka-max N        take N records/s as Kafka's max (e2e rates) instead of measuring it
// Builds Brook, then for each workload starts each broker fresh (new data dir, same port, one at a time),
// alternating which goes first per round, and writes bench/RESULTS.md and bench/*.svg.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../compat-tests/lib/proc.mjs';
import { ensureKafka } from '../compat-tests/kafka/kafka.mjs';
import { brookNodeArgs, startTarget, TARGETS } from './lib/brokers.mjs';
import { clientOpts, producerPerf, ensureE2eRate } from './lib/clients.mjs';
import { machineInfo, loopbackMiBps, diskWriteMiBps, fsyncLatency } from './lib/machine.mjs';
import { writeReport } from './lib/report.mjs';
import { BENCH_DIR, CACHE, REPO_ROOT, installSignalHandlers, log, median, rmrf, run } from './lib/util.mjs';
import { WORKLOADS, createTopic } from './lib/workloads.mjs';

/**
 * Writes back every dirty page before each case, so a case does not pay for the kernel writing back
 * what an earlier case, the warm-up or the other broker left in the page cache.
 * Kafka does not fsync by default and Brook does for acks=all, so that writeback landed unevenly.
 */
async function settleDisk() {
  await run('sync', [], { timeoutMs: 300000, allowFail: true });
}

function parseArgs(argv) {
  const o = { quick: false, rounds: null, only: [], idempotence: null, build: true, limits: true, out: path.join(BENCH_DIR, 'RESULTS.md'), reportOnly: null, argv };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--rounds') o.rounds = Number(val());
    else if (a === '--only') o.only.push(...val().split(',').filter(Boolean));
    else if (a === '--no-idempotence') o.idempotence = false;
    else if (a === '--skip-build') o.build = false;
    else if (a === '--no-limits') o.limits = false;
    else if (a === '--out') o.out = path.resolve(val());
    else if (a === '--report-only') o.reportOnly = path.resolve(val());
    else if (a === '--cpu-prof') o.cpuProf = true;
    else if (a === '--targets') o.targets = val().split(',').filter(Boolean);
    else if (a === '--kafka-max') o.kafkaMax = Number(val());
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1).filter((l) => l.startsWith('//')).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (o.rounds === null) o.rounds = o.quick ? 1 : 3;
  const names = WORKLOADS.map((w) => w.name);
  for (const n of o.only) if (!names.includes(n)) throw new Error(`unknown workload ${n} (one of ${names.join(', ')})`);
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  installSignalHandlers();
  fs.mkdirSync(CACHE, { recursive: true });

  if (opts.reportOnly) {
    const saved = JSON.parse(fs.readFileSync(opts.reportOnly, 'utf8'));
    const workloads = WORKLOADS.filter((w) => saved.workloads.includes(w.name));
    writeReport({ ...saved, workloads, file: opts.out, svgDir: path.dirname(opts.out), opts: { ...saved.opts, argv: saved.opts.argv } });
    log(`wrote ${path.relative(process.cwd(), opts.out)}`);
    return;
  }

  if (opts.cpuProf) {
    const dir = path.join(CACHE, 'prof');
    fs.mkdirSync(dir, { recursive: true });
    brookNodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const started = Date.now();
  const info = machineInfo();
  log(`machine: ${info.cpu} × ${info.nproc}, ${info.memGiB.toFixed(1)} GiB, load ${info.loadavg.map((x) => x.toFixed(2)).join(' ')}`);
  if (opts.build) {
    log('npm run build');
    await run('npm', ['run', 'build'], { cwd: REPO_ROOT, timeoutMs: 600000 });
  }
  ensureKafka();
  await ensureE2eRate();

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-'));
  process.on('exit', () => rmrf(workDir)); // also after Ctrl-C (brokers are killed first)
  const port = await freePort();
  const workloads = WORKLOADS.filter((w) => !opts.only.length || opts.only.includes(w.name));
  const results = [];
  const errors = [];
  const notes = [];
  const limits = {};
  const kafkaMaxRates = opts.kafkaMax > 0 ? [opts.kafkaMax] : [];
  const saveFile = path.join(CACHE, `run-${info.date.replace(/[:]/g, '')}.json`);
  const save = (extra = {}) =>
    fs.writeFileSync(
      saveFile,
      JSON.stringify({ info, limits, results, errors, notes, workloads: workloads.map((w) => w.name), opts: { ...opts, idempotence: clientOpts.idempotence }, ...extra }, null, 1),
    );

  try {
    if (opts.limits) {
      log('machine limits: loopback TCP, dd, fdatasync');
      try {
        limits.loopbackMiBps = await loopbackMiBps(opts.quick ? 2 : 5);
        limits.diskMiBps = await diskWriteMiBps(workDir, opts.quick ? 256 : 1024);
        limits.fsync = fsyncLatency(workDir, opts.quick ? 200 : 1000);
        log(`  loopback ${limits.loopbackMiBps.toFixed(0)} MiB/s, disk ${limits.diskMiBps.toFixed(0)} MiB/s, fdatasync median ${limits.fsync.medianMs.toFixed(2)} ms p99 ${limits.fsync.p99Ms.toFixed(2)} ms`);
      } catch (e) {
        notes.push(`machine limits: ${e.message}`);
      }
    }

    // Java 4.x producers are idempotent by default (InitProducerId). Probe Brook; fall back for both brokers.
    if (opts.idempotence === null) {
      log('probe: idempotent Java producer against Brook');
      let h;
      try {
        h = await startTarget('brook', { port, workDir });
        const topic = await createTopic(h.bootstrap, 'probe', 1);
        await producerPerf({ bootstrap: h.bootstrap, topic, numRecords: 1000, recordSize: 100, props: { acks: 'all' }, timeoutMs: 60000 });
        clientOpts.idempotence = true;
      } catch (e) {
        clientOpts.idempotence = false;
        notes.push(`Brook did not serve an idempotent Java producer (${e.message.split('\n')[0].slice(0, 200)}): every Java producer of this run, against both brokers, used enable.idempotence=false.`);
      } finally {
        await h?.stop();
      }
    } else clientOpts.idempotence = opts.idempotence;
    log(`java producers: enable.idempotence=${clientOpts.idempotence}`);

    for (const w of workloads) {
      const ctx = {
        quick: opts.quick,
        port,
        workDir,
        kafkaMaxRates,
        kafkaMax: () => median(kafkaMaxRates),
        note: (n) => notes.includes(n) || notes.push(n),
      };
      if (w.prepare && (!opts.targets || opts.targets.includes('kafka'))) {
        try {
          await w.prepare(ctx);
        } catch (e) {
          errors.push({ workload: w.name, target: 'kafka', round: 0, case: 'prepare', error: e.message });
          log(`${w.name}: prepare failed: ${e.message.split('\n')[0]}`);
          continue;
        }
      }
      for (let round = 1; round <= opts.rounds; round++) {
        const ts = w.targets.filter((t) => !opts.targets || opts.targets.includes(t));
        const order = round % 2 ? ts : [...ts].reverse();
        for (const target of order) {
          log(`${w.name} round ${round}/${opts.rounds}: ${TARGETS[target].label}`);
          let h;
          try {
            h = await startTarget(target, { port, workDir });
          } catch (e) {
            errors.push({ workload: w.name, target, round, case: 'broker start', error: e.message });
            log(`  broker start failed: ${e.message.split('\n')[0]}`);
            continue;
          }
          ctx.caseRun = async (name, fn) => {
            await settleDisk();
            const t = Date.now();
            try {
              const r = await fn();
              results.push({ workload: w.name, case: name, target, round, metrics: r.metrics });
              log(`  ${name}: ${Object.entries(r.metrics).map(([k, v]) => `${k}=${Number.isFinite(v) ? +v.toFixed(2) : v}`).join(' ')} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
            } catch (e) {
              errors.push({ workload: w.name, target, round, case: name, error: e.message });
              log(`  ${name}: FAILED ${e.message.split('\n')[0].slice(0, 300)}`);
              if (!h.running()) throw new Error(`broker died during "${name}"`);
            }
            save();
          };
          if (w.warmup) {
            // Warm-up before measuring, not recorded: the JVM's JIT (and V8's) would otherwise bill the
            // first case for compilation. Same for both brokers.
            try {
              const topic = await createTopic(h.bootstrap, `warmup-${round}`, 1);
              const mib = opts.quick ? 24 : 256;
              await producerPerf({ bootstrap: h.bootstrap, topic, numRecords: mib * 1024, recordSize: 1024, props: { acks: 1 } });
            } catch (e) {
              log(`  warm-up failed: ${e.message.split('\n')[0].slice(0, 200)}`);
            }
          }
          try {
            await w.run(h, ctx);
            if (!w.ownProcess) results.push({ workload: w.name, case: 'broker, whole workload', target, round, metrics: { peakRssMiB: h.peakRssMiB() } });
          } catch (e) {
            errors.push({ workload: w.name, target, round, error: e.message });
            log(`  ${w.name} aborted: ${e.message.split('\n')[0]}`);
          } finally {
            await h.stop();
          }
          save();
        }
      }
    }
  } finally {
    rmrf(workDir);
  }

  const end = os.loadavg();
  // Only the load before the run says whether others were using the machine: at the end, the load
  // average is mostly the run's own last workload (a JVM client, Kafka's recovery).
  const loaded = info.loadavg[0] >= 1.5 ? { end } : null;
  info.loadavgEnd = end;
  const runtimeS = (Date.now() - started) / 1000;
  save({ runtimeS, loaded });
  writeReport({ file: opts.out, svgDir: path.dirname(opts.out), info, limits, workloads, results, errors, notes, opts: { ...opts, idempotence: clientOpts.idempotence }, runtimeS, loaded });
  log(`wrote ${path.relative(process.cwd(), opts.out)} (${results.length} figures, ${errors.length} failures) in ${(runtimeS / 60).toFixed(1)} min; raw: ${path.relative(process.cwd(), saveFile)}`);
  if (errors.length) {
    for (const e of errors) console.log(`  FAIL ${e.workload} ${TARGETS[e.target]?.label || e.target} r${e.round} ${e.case || ''}: ${e.error.split('\n')[0].slice(0, 200)}`);
  }
  process.exit(0);
}

main().catch((e) => {
  console.error(`bench: ${e.stack || e}`);
  process.exit(1);
});
