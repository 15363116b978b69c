// The workloads of issue 8. Each runs against one freshly started broker (handle h from brokers.mjs) and
// records cases through ctx.caseRun(name, fn): fn returns {metrics, bytes}; bytes (moved through the
// broker: produced + consumed) turn the broker's CPU seconds during the case into CPU s/GiB.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import {
  producerPerf,
  producerPerfParallel,
  startProducerPerf,
  parseProducerPerf,
  startConsumerPerf,
  finishConsumerPerf,
  e2eLatencyTool,
  e2eRate,
  kafkajs,
  rdkafka,
  hasPython,
} from './clients.mjs';
import { restartTimed, startTarget } from './brokers.mjs';
import { log, sleep } from './util.mjs';

const { Kafka, logLevel } = createRequire(import.meta.url)('kafkajs');
const MiB = 1048576;
const GiB = 1024 * MiB;

let topicSeq = 0;
const newTopic = (prefix) => `${prefix}-${Date.now().toString(36)}-${++topicSeq}`;

export async function createTopic(bootstrap, topic, partitions) {
  const kafka = new Kafka({ clientId: 'brook-bench-admin', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true, timeout: 30000 });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/** Runs a case, attributing the broker's CPU time during it to the bytes it moved. */
async function withCpu(h, fn) {
  const c0 = h.cpu();
  const t0 = performance.now();
  const r = await fn();
  const cpu = h.cpu() - c0;
  const wall = (performance.now() - t0) / 1000;
  const metrics = { ...r.metrics };
  if (r.bytes > 0 && Number.isFinite(cpu)) metrics.cpuSecPerGiB = cpu / (r.bytes / GiB);
  // Broker cores busy over the case (client JVM start-up included): far below the core count means
  // the broker was waiting on its clients, i.e. the figure measures the client, not the broker.
  if (Number.isFinite(cpu) && wall > 0) metrics.brokerCores = cpu / wall;
  return { metrics, bytes: r.bytes };
}

const pp = (r) => ({ mibPerSec: r.mibPerSec, recordsPerSec: r.recordsPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, p999Ms: r.p999Ms });

// ---- kafka-producer-perf-test ------------------------------------------------------------------

function producerCases(quick) {
  const per = (quick ? 32 : 512) * MiB; // bytes per case
  const c = (name, size, partitions, producers, props) => ({ name, size, partitions, producers, props, records: Math.ceil(per / size) });
  return [
    c('100 B, acks=1, 1 partition, 1 producer', 100, 1, 1, { acks: 1 }),
    c('1 KiB, acks=1, 1 partition, 1 producer', 1024, 1, 1, { acks: 1 }),
    c('10 KiB, acks=1, 1 partition, 1 producer', 10240, 1, 1, { acks: 1 }),
    c('1 KiB, acks=all, 1 partition, 1 producer', 1024, 1, 1, { acks: 'all' }),
    c('1 KiB, acks=1, lz4, 1 partition, 1 producer', 1024, 1, 1, { acks: 1, 'compression.type': 'lz4' }),
    c('1 KiB, acks=1, 8 partitions, 1 producer', 1024, 8, 1, { acks: 1 }),
    c('1 KiB, acks=1, 8 partitions, 4 producers', 1024, 8, 4, { acks: 1 }),
    c('1 KiB, acks=all, 8 partitions, 4 producers', 1024, 8, 4, { acks: 'all' }),
  ];
}

export const KAFKA_MAX_CASE = '1 KiB, acks=1, 1 partition, 1 producer';

const producer = {
  name: 'producer',
  warmup: true,
  title: 'kafka-producer-perf-test (unthrottled; linger.ms=5, batch.size=64 KiB)',
  targets: ['brook', 'kafka'],
  async run(h, ctx) {
    for (const c of producerCases(ctx.quick)) {
      await ctx.caseRun(c.name, () =>
        withCpu(h, async () => {
          const topic = await createTopic(h.bootstrap, newTopic('perf'), c.partitions);
          const numRecords = Math.ceil(c.records / c.producers);
          const r = await producerPerfParallel(c.producers, { bootstrap: h.bootstrap, topic, numRecords, recordSize: c.size, props: c.props });
          if (c.name === KAFKA_MAX_CASE && h.target === 'kafka') ctx.kafkaMaxRates.push(r.recordsPerSec);
          return { metrics: pp(r), bytes: numRecords * c.producers * c.size };
        }),
      );
    }
  },
};

// ---- durability --------------------------------------------------------------------------------

const durability = {
  name: 'durability',
  warmup: true,
  title: 'Durability: acks=all, 1 KiB, 1 partition — Brook fsyncs before acking; Kafka by default does not; Kafka with log.flush.interval.messages=1 fsyncs every append',
  targets: ['brook', 'kafka', 'kafka-flush1'],
  async run(h, ctx) {
    const size = 1024;
    const records = Math.ceil(((ctx.quick ? 16 : 256) * MiB) / size);
    await ctx.caseRun('acks=all, unthrottled', () =>
      withCpu(h, async () => {
        const topic = await createTopic(h.bootstrap, newTopic('dur'), 1);
        const r = await producerPerf({ bootstrap: h.bootstrap, topic, numRecords: records, recordSize: size, props: { acks: 'all' } });
        return { metrics: pp(r), bytes: records * size };
      }),
    );
    const rate = 1000;
    const secs = ctx.quick ? 8 : 30;
    await ctx.caseRun(`acks=all at ${rate} records/s`, () =>
      withCpu(h, async () => {
        const topic = await createTopic(h.bootstrap, newTopic('dur'), 1);
        const r = await producerPerf({ bootstrap: h.bootstrap, topic, numRecords: rate * secs, recordSize: size, throughput: rate, props: { acks: 'all', 'linger.ms': 0 } });
        return { metrics: { p50Ms: r.p50Ms, p99Ms: r.p99Ms, p999Ms: r.p999Ms }, bytes: rate * secs * size };
      }),
    );
  },
};

// ---- kafka-consumer-perf-test ------------------------------------------------------------------

const consumer = {
  name: 'consumer',
  warmup: true,
  title: 'kafka-consumer-perf-test: catch-up read of a backlog, and a tailing consumer (1 KiB records, 4 partitions)',
  targets: ['brook', 'kafka'],
  async run(h, ctx) {
    const size = 1024;
    const backlog = (ctx.quick ? 100 : 1024) * MiB;
    const records = backlog / size;
    let topic;
    await ctx.caseRun(`backlog fill ${backlog / MiB} MiB (producer-perf, acks=1)`, () =>
      withCpu(h, async () => {
        topic = await createTopic(h.bootstrap, newTopic('backlog'), 4);
        const r = await producerPerf({ bootstrap: h.bootstrap, topic, numRecords: records, recordSize: size, props: { acks: 1 } });
        return { metrics: { mibPerSec: r.mibPerSec, recordsPerSec: r.recordsPerSec }, bytes: records * size };
      }),
    );
    if (topic) {
      await ctx.caseRun(`catch-up read of ${backlog / MiB} MiB`, () =>
        withCpu(h, async () => {
          const r = await finishConsumerPerf(startConsumerPerf({ bootstrap: h.bootstrap, topic, numRecords: records, group: newTopic('cg') }), records);
          return { metrics: { mibPerSec: r.fetchMibPerSec, recordsPerSec: r.fetchRecordsPerSec, rebalanceMs: r.rebalanceMs }, bytes: records * size };
        }),
      );
    }
    const tailMiB = ctx.quick ? 32 : 256;
    const tailRecords = (tailMiB * MiB) / size;
    await ctx.caseRun(`tailing consumer, ${tailMiB} MiB produced while it reads`, () =>
      withCpu(h, async () => {
        const t = await createTopic(h.bootstrap, newTopic('tail'), 4);
        const cons = startConsumerPerf({ bootstrap: h.bootstrap, topic: t, numRecords: tailRecords, group: newTopic('tg'), timeoutMs: 60000 });
        await sleep(4000); // let it join the group and start polling
        const prod = await producerPerf({ bootstrap: h.bootstrap, topic: t, numRecords: tailRecords, recordSize: size, props: { acks: 1 } });
        const c = await finishConsumerPerf(cons, tailRecords);
        // Epoch ms. The consumer's end.time (CSV) is when it had read the last record; the producer
        // started sending (after its JVM start) records/rate seconds before its process exited.
        const origin = performance.timeOrigin;
        const end = Number.isFinite(c.endMs) ? c.endMs : origin + c.endedAt;
        const sendStart = origin + prod.endedAt - (1000 * tailRecords) / prod.recordsPerSec;
        return {
          metrics: {
            mibPerSec: (tailRecords * size) / MiB / ((end - sendStart) / 1000),
            producerMibPerSec: prod.mibPerSec,
            lagAtProducerEndMs: Math.max(0, end - (origin + prod.endedAt)),
          },
          bytes: 2 * tailRecords * size,
        };
      }),
    );
  },
};

// ---- end-to-end latency ------------------------------------------------------------------------

const e2e = {
  name: 'e2e',
  warmup: true,
  title: "Latency at fixed rates (25/50/90% of Kafka's measured max for 1 KiB, acks=1, 1 partition): send→ack (producer-perf --throughput, linger.ms=0) and produce→consume (bench/lib/E2eRate.java, one JVM, linger.ms=1, rate ramped up over 5 s, then 10 s not counted while the client JVM warms up, then 15 s counted), plus the unloaded round trip (EndToEndLatency)",
  targets: ['brook', 'kafka'],
  async prepare(ctx) {
    if (ctx.kafkaMaxRates.length) return;
    log('e2e: calibrating Kafka max (1 KiB, acks=1, 1 partition)');
    const h = await startTarget('kafka', { port: ctx.port, workDir: ctx.workDir });
    try {
      const topic = await createTopic(h.bootstrap, newTopic('cal'), 1);
      const n = Math.ceil(((ctx.quick ? 48 : 512) * MiB) / 1024);
      const r = await producerPerf({ bootstrap: h.bootstrap, topic, numRecords: n, recordSize: 1024, props: { acks: 1 } });
      ctx.kafkaMaxRates.push(r.recordsPerSec);
    } finally {
      await h.stop();
    }
  },
  async run(h, ctx) {
    let max = ctx.kafkaMax();
    if (!Number.isFinite(max)) {
      max = 10000;
      ctx.note("e2e: no Kafka max measured in this run (Kafka not targeted): rates are fractions of 10,000 records/s");
    }
    const secs = ctx.quick ? 6 : 15; // 15 s at 25% of the max is still 100k+ samples per run
    // produce→consume: the client JVM takes over a core of its own for ~11 s after it starts (bench/lib/E2eRate.java)
    const e2eWarmup = ctx.quick ? 3 : 10;
    const e2eRamp = 5;
    const size = 1024;
    for (const pct of [25, 50, 90]) {
      const rate = Math.max(100, Math.round((max * pct) / 100));
      await ctx.caseRun(`send→ack at ${pct}% (${rate} rec/s)`, () =>
        withCpu(h, async () => {
          const topic = await createTopic(h.bootstrap, newTopic('lat'), 1);
          const r = await producerPerf({ bootstrap: h.bootstrap, topic, numRecords: rate * secs, recordSize: size, throughput: rate, props: { acks: 1, 'linger.ms': 0 } });
          return { metrics: { p50Ms: r.p50Ms, p99Ms: r.p99Ms, p999Ms: r.p999Ms, achievedRecordsPerSec: r.recordsPerSec }, bytes: rate * secs * size };
        }),
      );
      await ctx.caseRun(`produce→consume at ${pct}% (${rate} rec/s)`, () =>
        withCpu(h, async () => {
          const topic = await createTopic(h.bootstrap, newTopic('e2e'), 1);
          const r = await e2eRate({ bootstrap: h.bootstrap, topic, rate, seconds: secs + e2eWarmup, recordSize: size, acks: 1, warmup: e2eWarmup, ramp: e2eRamp });
          if (r.achievedRate < 0.9 * rate) {
            ctx.note(
              `e2e: ${h.label}, produce→consume at ${pct}%: the records arrived at ${Math.round(r.achievedRate)}/s of ${rate}/s wanted — ` +
                'the consumer fell behind (broker or client starved of CPU), so its latencies are queueing, not the broker\'s round trip.',
            );
          }
          return { metrics: { p50Ms: r.p50Ms, p99Ms: r.p99Ms, p999Ms: r.p999Ms, achievedRecordsPerSec: r.achievedRate }, bytes: 2 * rate * (secs + e2eWarmup + e2eRamp / 2) * size }; // sent over the ramp, warm-up and counted window
        }),
      );
    }
    const n = ctx.quick ? 500 : 5000;
    await ctx.caseRun(`unloaded round trip (EndToEndLatency, ${n} × 1 KiB, acks=1)`, () =>
      withCpu(h, async () => {
        const topic = await createTopic(h.bootstrap, newTopic('rt'), 1);
        const r = await e2eLatencyTool({ bootstrap: h.bootstrap, topic, numRecords: n, recordSize: size, acks: 1 });
        return { metrics: r, bytes: 2 * n * size };
      }),
    );
  },
};

// ---- other clients: kafkajs, librdkafka (confluent-kafka) ---------------------------------------

const clients = {
  name: 'clients',
  warmup: true,
  title: 'Other clients, 1 KiB records, acks=1, 4 partitions: kafkajs (1000-record sends, 4 in flight) and librdkafka via confluent-kafka (Python produce()/consume() loop; no rdkafka_performance on this machine)',
  targets: ['brook', 'kafka'],
  async run(h, ctx) {
    const size = 1024;
    const count = Math.ceil(((ctx.quick ? 32 : 256) * MiB) / size);
    const tj = await createTopic(h.bootstrap, newTopic('kjs'), 4);
    let produced = false;
    await ctx.caseRun('kafkajs produce', () =>
      withCpu(h, async () => {
        const r = await kafkajs('produce', { bootstrap: h.bootstrap, topic: tj, count, size, acks: 1 });
        produced = true;
        return { metrics: { mibPerSec: r.mibPerSec, recordsPerSec: r.recordsPerSec }, bytes: r.records * size };
      }),
    );
    if (produced) {
      await ctx.caseRun('kafkajs consume (catch-up)', () =>
        withCpu(h, async () => {
          const r = await kafkajs('consume', { bootstrap: h.bootstrap, topic: tj, count, group: newTopic('kjsg') });
          return { metrics: { mibPerSec: r.mibPerSec, recordsPerSec: r.recordsPerSec, joinMs: r.joinMs }, bytes: r.records * size };
        }),
      );
    }
    if (!hasPython()) {
      ctx.note('clients: confluent-kafka venv missing (compat-tests/.cache/venv); librdkafka cases skipped');
      return;
    }
    const tr = await createTopic(h.bootstrap, newTopic('rdk'), 4);
    produced = false;
    await ctx.caseRun('librdkafka (confluent-kafka) produce', () =>
      withCpu(h, async () => {
        const r = await rdkafka('produce', { bootstrap: h.bootstrap, topic: tr, count, size, acks: 1 });
        produced = true;
        return { metrics: { mibPerSec: r.mibPerSec, recordsPerSec: r.recordsPerSec }, bytes: r.records * size };
      }),
    );
    if (produced) {
      await ctx.caseRun('librdkafka (confluent-kafka) consume (catch-up)', () =>
        withCpu(h, async () => {
          const r = await rdkafka('consume', { bootstrap: h.bootstrap, topic: tr, count, group: newTopic('rdkg') });
          return { metrics: { mibPerSec: r.mibPerSec, recordsPerSec: r.recordsPerSec, joinMs: r.joinMs }, bytes: r.records * size };
        }),
      );
    }
  },
};

// ---- group join ---------------------------------------------------------------------------------

const group = {
  name: 'group',
  title: 'Consumer group join: N kafkajs consumers subscribe at once (heartbeat 500 ms); time until their assignments cover the 12 partitions exactly once',
  targets: ['brook', 'kafka'],
  async run(h, ctx) {
    const topic = await createTopic(h.bootstrap, newTopic('grp'), 12);
    for (const members of [1, 3, 10]) {
      await ctx.caseRun(`${members} consumer${members > 1 ? 's' : ''}`, async () => {
        const r = await kafkajs('group-join', { bootstrap: h.bootstrap, topic, partitions: 12, members, group: newTopic('gj'), heartbeatMs: 500 });
        return { metrics: { joinMs: r.joinMs }, bytes: 0 };
      });
    }
  },
};

// ---- start-up and recovery ----------------------------------------------------------------------

const startup = {
  name: 'startup',
  title: 'Broker start-up (clean restart of an empty, already initialised data dir): process spawn → port accepting → Metadata answered',
  targets: ['brook', 'kafka'],
  ownProcess: true,
  async run(h, ctx) {
    await h.stop({ keep: true });
    await ctx.caseRun('clean restart', async () => {
      const r = await restartTimed(h);
      await sleep(2000);
      const idleRssMiB = r.peakRssMiB();
      await r.stop();
      return { metrics: { portMs: r.timing.portMs, metadataMs: r.timing.metadataMs, idleRssMiB }, bytes: 0 };
    });
  },
};

function du(dir) {
  try {
    return Number(execFileSync('du', ['-sb', dir]).toString().split('\t')[0]);
  } catch {
    return NaN;
  }
}

const recovery = {
  name: 'recovery',
  title: 'Recovery after kill -9 with a large log (10 KiB records, 4 partitions, acks=1): restart → Metadata answered with every partition led',
  targets: ['brook', 'kafka'],
  ownProcess: true,
  async run(h, ctx) {
    const size = 10240;
    const total = (ctx.quick ? 256 : 5120) * MiB;
    const records = total / size;
    const topic = await createTopic(h.bootstrap, newTopic('rec'), 4);
    let filled = false;
    await ctx.caseRun(`fill ${total / MiB} MiB`, () =>
      withCpu(h, async () => {
        const producers = 2;
        const r = await producerPerfParallel(producers, { bootstrap: h.bootstrap, topic, numRecords: Math.ceil(records / producers), recordSize: size, props: { acks: 1, 'batch.size': 262144 } });
        filled = true;
        return { metrics: { mibPerSec: r.mibPerSec }, bytes: total };
      }),
    );
    if (!filled) return;
    const onDisk = du(h.dataDir);
    await h.kill9();
    await ctx.caseRun('restart after kill -9', async () => {
      const r = await restartTimed(h, { topic });
      const rssMiB = r.peakRssMiB();
      await r.stop();
      return { metrics: { portMs: r.timing.portMs, metadataMs: r.timing.metadataMs, peakRssMiB: rssMiB, onDiskGiB: onDisk / GiB }, bytes: 0 };
    });
  },
};

export const WORKLOADS = [producer, durability, consumer, e2e, clients, group, startup, recovery];
