/**
 * Wires the broker together and is the embedded API:
 *
 *   const broker = await startBroker({ storage: 'memory', config: { listeners: 'PLAINTEXT://127.0.0.1:0' } });
 *   // clients connect to `${broker.host}:${broker.port}`
 *   await broker.close();
 *
 * Start: config → logger → meta.properties → storage → topic registry → handlers → listeners →
 * retention and log cleaner timers. close(): stop accepting, close connections, stop timers, close storage (which
 * writes the clean-shutdown marker).
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { startGroups } from './coordinator/group/install.js';
import { startTransactions } from './coordinator/txn/install.js';
import { registerAll, type HandlerRegistry } from './handlers/registry.js';
import type { BrokerEndpoint, BrokerServices, Clock } from './handlers/types.js';
import { createLogger } from './logger.js';
import { BrokerConfig, defaultAdvertisedHost, loadBrokerConfig } from './metadata/broker-config.js';
import { ConfigService } from './metadata/config-service.js';
import { QuotaStore } from './metadata/quotas.js';
import { generateClusterId, loadOrCreateMetaProperties } from './metadata/meta-properties.js';
import { TopicRegistry } from './metadata/topic-registry.js';
import { TopicManager } from './metadata/topics.js';
import { Dispatcher } from './server/dispatcher.js';
import { NetworkServer, type BoundListener } from './server/server.js';
import { createStorage, type StorageEngine } from './storage/index.js';

export interface StartBrokerOptions {
  /** Config overrides (Kafka names → values), or a BrokerConfig already loaded (the CLI). */
  config?: Record<string, string | number | boolean> | BrokerConfig;
  /** Shortcuts for listeners=PLAINTEXT://host:port (port 0: any free port). */
  host?: string;
  port?: number;
  /** 'file' (default; data in log.dirs) or 'memory' (nothing on disk). */
  storage?: 'file' | 'memory';
  /** Environment read for KAFKA_* / BROOK_* configs when `config` is a record. Default: none. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  clock?: Clock;
  /** Handler registry (default: every handler file in src/handlers). */
  registry?: HandlerRegistry;
}

export interface RunningBroker {
  /** The first advertised listener's address: what a client should bootstrap from. */
  readonly host: string;
  readonly port: number;
  /** `host:port`, ready for a client's bootstrap servers. */
  readonly bootstrap: string;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly listeners: BoundListener[];
  readonly services: BrokerServices;
  readonly server: NetworkServer;
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => Date.now() };

function resolveConfig(opts: StartBrokerOptions): BrokerConfig {
  if (opts.config instanceof BrokerConfig) return opts.config;
  const overrides: Record<string, string | number | boolean> = { ...(opts.config ?? {}) };
  if (opts.host !== undefined || opts.port !== undefined) {
    overrides.listeners = `PLAINTEXT://${opts.host ?? '127.0.0.1'}:${opts.port ?? 0}`;
  }
  return loadBrokerConfig({ env: opts.env ?? {}, overrides });
}

function advertise(config: BrokerConfig, bound: BoundListener[]): BrokerEndpoint[] {
  return config.advertisedListeners.map((a) => {
    const b = bound.find((l) => l.spec.name === a.name);
    const wildcard = a.host === '' || a.host === '0.0.0.0' || a.host === '::';
    return {
      listenerName: a.name,
      securityProtocol: a.securityProtocol,
      host: wildcard ? defaultAdvertisedHost() : a.host,
      port: a.port === 0 && b ? b.port : a.port,
    };
  });
}

/** Starts a broker; throws ConfigException for a bad config and cleans up after any failure. */
export async function startBroker(opts: StartBrokerOptions = {}): Promise<RunningBroker> {
  const config = resolveConfig(opts);
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  for (const w of config.warnings) logger.warn(w);
  const clock = opts.clock ?? systemClock;
  const kind = opts.storage ?? 'file';
  const nodeId = config.nodeId;
  const dataDir = resolve(config.logDirs[0]);
  const cleanup: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const c of cleanup.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        logger.error({ err }, 'error during shutdown');
      }
    }
  };

  try {
    const clusterId =
      kind === 'file' ? (await loadOrCreateMetaProperties(dataDir, nodeId, config.clusterId)).clusterId : (config.clusterId ?? generateClusterId());
    // Dynamic broker configs first: the storage defaults and every topic's LogConfig see them.
    const configs = await ConfigService.open(config, kind === 'file' ? dataDir : null, logger);
    const storage: StorageEngine = createStorage({
      kind,
      dataDir,
      logger,
      now: () => clock.now(),
      defaultConfig: config.logConfig,
      tailCacheTotalBytes: config.num('log.tail.cache.bytes'),
    });
    await storage.open();
    cleanup.push(() => storage.close());

    const registry = await TopicRegistry.load(kind === 'file' ? dataDir : null);
    cleanup.push(() => registry.flush());
    const topics = new TopicManager(registry, storage, config, logger);
    await topics.open();
    configs.attach(topics, storage);

    const handlers = opts.registry ?? (await registerAll());
    const endpoints: BrokerEndpoint[] = [];
    const services: BrokerServices = {
      config,
      nodeId,
      clusterId,
      topics,
      storage,
      logger,
      clock,
      endpoints,
      extensions: new Map<string, unknown>([['configs', configs], ['quotas', await QuotaStore.open(kind === 'file' ? dataDir : null)]]),
      apis: () => handlers.versions(),
    };
    // Group coordinator: replay __consumer_offsets (before transactions, which hand it committed offsets).
    cleanup.push(await startGroups(services));
    // Producer state and the transaction coordinator: replay __transaction_state, finish in-flight commits/aborts.
    cleanup.push(await startTransactions(services));

    const server = new NetworkServer({
      listeners: config.listeners,
      dispatcher: new Dispatcher(handlers, services),
      logger,
      maxFrameBytes: config.num('socket.request.max.bytes'),
      idleMs: config.num('connections.max.idle.ms'),
      maxConnections: config.num('max.connections'),
      sendBufferBytes: config.num('socket.send.buffer.bytes'),
      receiveBufferBytes: config.num('socket.receive.buffer.bytes'),
    });
    cleanup.push(() => server.close());
    const bound = await server.start();
    endpoints.push(...advertise(config, bound));

    const retention = startRetentionTimer(storage, clock, config.num('log.retention.check.interval.ms'), logger);
    cleanup.push(async () => retention.stop());
    if (config.bool('log.cleaner.enable') && storage.cleanLogs) {
      const cleaner = startCleanerTimer(storage, clock, config.num('log.cleaner.backoff.ms'), logger);
      cleanup.push(async () => cleaner.stop());
    }

    logger.info({ nodeId, clusterId, storage: kind, dataDir: kind === 'file' ? dataDir : undefined, endpoints }, 'Brook started');
    let closing: Promise<void> | null = null;
    return {
      host: endpoints[0].host,
      port: endpoints[0].port,
      bootstrap: `${endpoints[0].host}:${endpoints[0].port}`,
      nodeId,
      clusterId,
      listeners: bound,
      services,
      server,
      close: () =>
        (closing ??= closeAll().then(() => {
          logger.info('Brook stopped');
        })),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Applies retention.ms / retention.bytes to every partition every `intervalMs` (never overlapping). */
function startRetentionTimer(storage: StorageEngine, clock: Clock, intervalMs: number, logger: Logger): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const run = async () => {
    let deleted = 0;
    for (const log of storage.partitions()) {
      try {
        deleted += await log.applyRetention(clock.now());
      } catch (err) {
        logger.error({ err, topic: log.topic, partition: log.partition }, 'retention failed');
      }
    }
    if (deleted > 0) logger.info({ segments: deleted }, 'retention deleted segments');
  };
  const timer = setInterval(() => {
    if (running) return;
    running = run().finally(() => (running = null));
  }, Math.min(intervalMs, 2 ** 31 - 1));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** Runs the log cleaner (cleanup.policy=compact logs) and waits log.cleaner.backoff.ms between passes. */
function startCleanerTimer(storage: StorageEngine, clock: Clock, backoffMs: number, logger: Logger): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = (storage.cleanLogs?.(clock.now()) ?? Promise.resolve(0))
        .catch((err) => logger.error({ err }, 'log cleaner pass failed'))
        .finally(() => {
          running = null;
          schedule();
        });
    }, Math.min(Math.max(backoffMs, 1), 2 ** 31 - 1));
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
