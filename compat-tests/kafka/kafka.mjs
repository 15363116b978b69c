// Apache Kafka launcher: a single-node KRaft broker+controller on 127.0.0.1, from jars cached by fetch.sh.
//
//   import { start } from './compat-tests/kafka/kafka.mjs';
//   const kafka = await start({ port: 0, dataDir: undefined, extraProps: { 'num.partitions': 3 } });
//   console.log(kafka.bootstrap);   // "127.0.0.1:40123"
//   await kafka.stop();             // SIGTERM (controlled shutdown), removes the temp data dir
//
// Used by the compat runner (`npm run compat -- --target kafka`) and by bench/ to compare with Brook.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort, portAnswers, waitUntil, stopChild } from '../lib/proc.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

export const KAFKA_VERSION = process.env.KAFKA_VERSION || '4.3.1';
export const CACHE_DIR = process.env.COMPAT_CACHE || path.join(here, '..', '.cache');

/** Main classes of the Kafka 4.x CLI tools (the bin/*.sh scripts of the Kafka distribution). */
export const TOOL_CLASSES = {
  'kafka-server-start': 'kafka.Kafka',
  'kafka-storage': 'kafka.tools.StorageTool',
  'kafka-topics': 'org.apache.kafka.tools.TopicCommand',
  'kafka-console-producer': 'org.apache.kafka.tools.ConsoleProducer',
  'kafka-console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  'kafka-consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  'kafka-configs': 'kafka.admin.ConfigCommand',
  'kafka-get-offsets': 'org.apache.kafka.tools.GetOffsetShell',
  'kafka-delete-records': 'org.apache.kafka.tools.DeleteRecordsCommand',
  'kafka-log-dirs': 'org.apache.kafka.tools.LogDirsCommand',
  'kafka-producer-perf-test': 'org.apache.kafka.tools.ProducerPerformance',
  'kafka-consumer-perf-test': 'org.apache.kafka.tools.ConsumerPerformance',
  'kafka-dump-log': 'org.apache.kafka.tools.DumpLogSegments',
  'kafka-broker-api-versions': 'org.apache.kafka.tools.BrokerApiVersionsCommand',
  'kafka-transactions': 'org.apache.kafka.tools.TransactionsCommand',
  'kafka-acls': 'org.apache.kafka.tools.AclCommand',
  'kafka-features': 'org.apache.kafka.tools.FeatureCommand',
  'kafka-metadata-quorum': 'org.apache.kafka.tools.MetadataQuorumCommand',
  'kafka-groups': 'org.apache.kafka.tools.GroupsCommand',
  'kafka-leader-election': 'org.apache.kafka.tools.LeaderElectionCommand',
  'kafka-reassign-partitions': 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand',
};

export function libsDir(version = KAFKA_VERSION) {
  return path.join(CACHE_DIR, `kafka-${version}`, 'libs');
}

/** Downloads Kafka's jars through Maven (once; cached). Returns the libs directory. */
export function ensureKafka(version = KAFKA_VERSION) {
  const libs = libsDir(version);
  if (fs.existsSync(path.join(libs, '.complete'))) return libs;
  execFileSync('bash', [path.join(here, 'fetch.sh')], {
    env: { ...process.env, KAFKA_VERSION: version, COMPAT_CACHE: CACHE_DIR },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return libs;
}

function javaBin() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** log4j2 config: everything to stdout (the launcher redirects it to a file). */
function writeLog4j(file, level) {
  fs.writeFileSync(
    file,
    [
      'status = error',
      'appender.out.type = Console',
      'appender.out.name = OUT',
      'appender.out.target = SYSTEM_OUT',
      'appender.out.layout.type = PatternLayout',
      'appender.out.layout.pattern = [%d] %p %m (%c)%n',
      `rootLogger.level = ${level}`,
      'rootLogger.appenderRef.out.ref = OUT',
      // Kafka's request logger is very chatty at DEBUG/TRACE; keep it quiet.
      'logger.request.name = kafka.request.logger',
      'logger.request.level = WARN',
      '',
    ].join('\n'),
  );
}

/** Java command line (array) for running a Kafka main class with the cached jars. */
// Short-lived tools start faster with SerialGC and C1 only; the broker gets G1 and the full JIT.
export function javaArgs(mainClass, args, { heap = '256m', log4jFile, version = KAFKA_VERSION, server = false } = {}) {
  const jvm = [
    `-Xmx${heap}`,
    ...(server ? ['-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20'] : ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']),
    '-Djava.awt.headless=true',
    '-Dlog4j2.disable.jmx=true',
  ];
  if (log4jFile) jvm.push(`-Dlog4j2.configurationFile=${log4jFile}`);
  return [...jvm, '-cp', path.join(libsDir(version), '*'), mainClass, ...args];
}

function propsText(props) {
  return Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') + '\n';
}

/**
 * Starts a single-node KRaft Kafka (broker + controller) on 127.0.0.1.
 *
 * @param {object}  [opts]
 * @param {number}  [opts.port=0]            client (PLAINTEXT) port; 0 picks a free one
 * @param {number}  [opts.controllerPort=0]  controller port; 0 picks a free one
 * @param {string}  [opts.dataDir]           where logs, config and server.log go; default a new temp dir
 *                                           (removed by stop() unless opts.keepData)
 * @param {object}  [opts.extraProps]        server.properties overrides, e.g. {'num.partitions': 3}
 * @param {string}  [opts.heap='1g']         broker JVM -Xmx
 * @param {number}  [opts.timeoutMs=120000]  start-up timeout
 * @param {boolean} [opts.keepData=false]    keep dataDir after stop()
 * @param {string}  [opts.logLevel='INFO']
 * @param {boolean} [opts.detached=false]    let the JVM outlive this process (pid in <dataDir>/kafka.pid)
 * @returns {Promise<{bootstrap: string, port: number, dataDir: string, logFile: string,
 *                    configFile: string, pid: number, version: string, running: () => boolean,
 *                    stop: () => Promise<void>}>}
 */
export async function start(opts = {}) {
  const version = opts.version || KAFKA_VERSION;
  ensureKafka(version);
  const ownsDir = !opts.dataDir;
  const dataDir = opts.dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'brook-compat-kafka-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const port = opts.port || (await freePort());
  let controllerPort = opts.controllerPort || (await freePort());
  while (controllerPort === port) controllerPort = await freePort();

  const configFile = path.join(dataDir, 'server.properties');
  const logFile = path.join(dataDir, 'server.log');
  const log4jFile = path.join(dataDir, 'log4j2.properties');
  writeLog4j(log4jFile, opts.logLevel || 'INFO');

  const props = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': path.join(dataDir, 'logs'),
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 5,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': true,
    'num.network.threads': 2,
    'num.io.threads': 4,
    ...(opts.extraProps || {}),
  };
  fs.writeFileSync(configFile, propsText(props));

  // Format the storage (cluster id: 16 random bytes, base64url without padding, as Kafka's Uuid prints).
  // A leading '-' would be read by the tool as an option (1 id in 64), so draw until it isn't.
  let clusterId;
  do clusterId = crypto.randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-'));
  const fmt = javaArgs('kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', configFile, '--ignore-formatted'], {
    log4jFile,
    version,
  });
  try {
    execFileSync(javaBin(), fmt, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`kafka-storage format failed: ${e.stderr?.toString() || ''}${e.stdout?.toString() || ''}`);
  }

  const out = fs.openSync(logFile, 'a');
  const heap = opts.heap || '1g';
  const child = spawn(
    javaBin(),
    javaArgs('kafka.Kafka', [configFile], { heap, log4jFile, version, server: true }),
    { stdio: ['ignore', out, out], detached: !!opts.detached },
  );
  fs.closeSync(out);
  fs.writeFileSync(path.join(dataDir, 'kafka.pid'), `${child.pid}\n`);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', onExit);
    await stopChild(child, { graceMs: 30000 });
    if (ownsDir && !opts.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const onExit = () => {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  };
  // A detached broker outlives this process (start.sh --detach; stop it with stop.sh <dataDir>).
  if (!opts.detached) process.on('exit', onExit);

  try {
    await waitUntil(
      `Apache Kafka ${version} on 127.0.0.1:${port}`,
      async () => {
        if (!(await portAnswers(port))) return false;
        const log = fs.readFileSync(logFile, 'utf8');
        return /Kafka Server started|\[KafkaRaftServer nodeId=\d+\] Kafka Server started/.test(log);
      },
      { timeoutMs: opts.timeoutMs || 120000, child, logFile },
    );
  } catch (e) {
    await stop();
    throw e;
  }

  if (opts.detached) child.unref();
  const running = () => child.exitCode === null && child.signalCode === null;
  return { bootstrap: `127.0.0.1:${port}`, port, dataDir, logFile, configFile, pid: child.pid, version, running, stop };
}

/** Runs a Kafka CLI tool (see TOOL_CLASSES) to completion; returns {code, stdout, stderr}. */
export function runTool(tool, args, { input, timeoutMs = 120000, version = KAFKA_VERSION } = {}) {
  const cls = TOOL_CLASSES[tool] || tool;
  ensureKafka(version);
  const log4jFile = path.join(os.tmpdir(), `brook-compat-tools-log4j2-${process.pid}.properties`);
  if (!fs.existsSync(log4jFile)) {
    fs.writeFileSync(
      log4jFile,
      'status = error\nappender.err.type = Console\nappender.err.name = ERR\nappender.err.target = SYSTEM_ERR\n' +
        'appender.err.layout.type = PatternLayout\nappender.err.layout.pattern = [%d] %p %m (%c)%n\n' +
        'rootLogger.level = WARN\nrootLogger.appenderRef.err.ref = ERR\n',
    );
  }
  try {
    const stdout = execFileSync(javaBin(), javaArgs(cls, args, { log4jFile, version }), {
      input,
      timeout: timeoutMs,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
    return { code: 0, stdout: stdout.toString(), stderr: '' };
  } catch (e) {
    return { code: e.status ?? 1, stdout: e.stdout?.toString() || '', stderr: e.stderr?.toString() || String(e) };
  }
}
