/**
 * Broker configuration: Kafka's key names, read from (lowest to highest precedence) the defaults,
 * a server.properties file, environment variables (KAFKA_LOG_DIRS → log.dirs, BROOK_… likewise;
 * BROOK_ wins over KAFKA_) and `--override key=value` / embedded overrides.
 * Unknown keys produce warnings; a bad value throws ConfigException.
 */
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import type { LogConfig } from '../storage/engine.js';
import { BROKER_CONFIG_BY_NAME } from './broker-config-defs.js';
import { ConfigException, type ConfigValue, LONG_MAX, parseValue } from './config-types.js';
import { parseProperties } from './properties.js';
import { defaultLogLevel } from '../logger.js';

export type ConfigSource = 'default' | 'file' | 'env' | 'override';

export interface ListenerSpec {
  name: string; // listener name, e.g. PLAINTEXT
  securityProtocol: string;
  host: string; // '' = every interface
  port: number; // 0 = any free port
}

export interface LoadConfigOptions {
  /** Path to a server.properties file. */
  file?: string;
  /** Environment to read KAFKA_* / BROOK_* from; pass {} to ignore the environment. */
  env?: Record<string, string | undefined>;
  overrides?: Record<string, string | number | boolean> | Array<[string, string]>;
}

/** KAFKA_* variables the Kafka images use for the JVM, not for broker configuration. */
const NON_CONFIG_ENV = new Set([
  'KAFKA_VERSION', 'KAFKA_HOME', 'KAFKA_HEAP_OPTS', 'KAFKA_LOG4J_OPTS', 'KAFKA_OPTS', 'KAFKA_JMX_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS', 'KAFKA_GC_LOG_OPTS', 'KAFKA_LOG4J_ROOT_LOGLEVEL', 'KAFKA_LOG4J_LOGGERS',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL', 'KAFKA_JMX_HOSTNAME', 'KAFKA_JMX_PORT', 'KAFKA_DEBUG', 'KAFKA_CLUSTER_ID',
]);

/** KAFKA_LOG_DIRS → log.dirs: '_' → '.', '__' → '_', '___' → '-' (the Kafka Docker image convention). */
export function envNameToConfigKey(envName: string, prefix: string): string {
  return envName
    .slice(prefix.length)
    .toLowerCase()
    .replace(/___/g, '\u0001')
    .replace(/__/g, '\u0002')
    .replace(/_/g, '.')
    .replace(/\u0001/g, '-')
    .replace(/\u0002/g, '_');
}

/** Where a dynamic broker config was set: this broker (resource "<node id>") or the cluster default (""). */
export type DynamicScope = 'broker' | 'cluster';

export class BrokerConfig {
  private dynamicGeneration = 0;
  readonly warnings: string[] = [];
  /** Dynamic configs (IncrementalAlterConfigs/AlterConfigs on a broker resource), set by the config service. */
  private readonly dynamicConfigs: Record<DynamicScope, Map<string, ConfigValue>> = { broker: new Map(), cluster: new Map() };

  constructor(
    /** Every explicitly set key (known ones parsed; unknown ones kept as raw strings). */
    private readonly set: ReadonlyMap<string, { value: ConfigValue; source: ConfigSource }>,
    warnings: string[],
  ) {
    this.warnings.push(...warnings);
    this.validateDerived();
  }

  /** The effective value of a known key: dynamic per-broker, dynamic cluster default, static, default. */
  get(name: string): ConfigValue {
    for (const scope of ['broker', 'cluster'] as const) {
      const d = this.dynamicConfigs[scope];
      if (d.has(name)) return d.get(name)!;
    }
    const s = this.set.get(name);
    if (s) return s.value;
    const def = BROKER_CONFIG_BY_NAME.get(name);
    if (!def) throw new Error(`unknown broker config ${name}`);
    return def.default;
  }
  /** The statically configured value (file, environment, override), or undefined. */
  staticValue(name: string): ConfigValue | undefined {
    return this.set.get(name)?.value;
  }
  /** Sets (parsed value) or removes (undefined) a dynamic config of a known key. */
  setDynamic(scope: DynamicScope, name: string, value: ConfigValue | undefined): void {
    if (value === undefined) this.dynamicConfigs[scope].delete(name);
    else this.dynamicConfigs[scope].set(name, value);
    this.dynamicGeneration++;
  }

  /** Bumped by every dynamic change, so values derived from this config can tell they are stale. */
  get generation(): number {
    return this.dynamicGeneration;
  }
  dynamic(scope: DynamicScope): ReadonlyMap<string, ConfigValue> {
    return this.dynamicConfigs[scope];
  }
  source(name: string): ConfigSource {
    return this.set.get(name)?.source ?? 'default';
  }
  isSet(name: string): boolean {
    return this.set.has(name);
  }
  /** Explicitly set keys, with their source (DescribeConfigs). */
  entries(): Array<[string, ConfigValue, ConfigSource]> {
    return [...this.set].map(([k, v]) => [k, v.value, v.source]);
  }
  num(name: string): number {
    return this.get(name) as number;
  }
  bool(name: string): boolean {
    return this.get(name) as boolean;
  }
  str(name: string): string | null {
    return this.get(name) as string | null;
  }
  list(name: string): string[] | null {
    return this.get(name) as string[] | null;
  }

  get nodeId(): number {
    return this.isSet('node.id') || !this.isSet('broker.id') ? this.num('node.id') : this.num('broker.id');
  }
  get clusterId(): string | null {
    return this.str('cluster.id');
  }
  get logDirs(): string[] {
    return this.list('log.dirs') ?? [this.str('log.dir')!];
  }
  get logLevel(): string {
    return this.str('log.level') ?? defaultLogLevel({ VITEST: process.env.VITEST });
  }
  /** Listeners Brook serves (controller listeners are skipped: there is no separate controller). */
  get listeners(): ListenerSpec[] {
    const controller = new Set(this.list('controller.listener.names') ?? []);
    return this.parseListeners('listeners', this.list('listeners')!).filter((l) => !controller.has(l.name));
  }
  /** advertised.listeners, defaulting to listeners (port 0 / empty host are resolved at bind time). */
  get advertisedListeners(): ListenerSpec[] {
    const adv = this.list('advertised.listeners');
    return adv ? this.parseListeners('advertised.listeners', adv) : this.listeners;
  }
  /** log.retention.ms, else .minutes, else .hours; any negative value means unlimited (-1). */
  get logRetentionMs(): number {
    const ms = this.get('log.retention.ms') as number | null;
    const minutes = this.get('log.retention.minutes') as number | null;
    const v = ms ?? (minutes !== null ? minutes * 60_000 : this.num('log.retention.hours') * 3_600_000);
    return v < 0 ? -1 : v;
  }
  /** log.roll.ms, else log.roll.hours. */
  get logRollMs(): number {
    return (this.get('log.roll.ms') as number | null) ?? this.num('log.roll.hours') * 3_600_000;
  }
  /** log.flush.interval.ms, else log.flush.scheduler.interval.ms. */
  get logFlushIntervalMs(): number {
    return (this.get('log.flush.interval.ms') as number | null) ?? this.num('log.flush.scheduler.interval.ms');
  }
  /** The broker-wide defaults for every partition log (topic overrides go on top: topic-config.ts). */
  get logConfig(): LogConfig {
    return {
      segmentBytes: this.num('log.segment.bytes'),
      segmentMs: this.logRollMs,
      retentionMs: this.logRetentionMs,
      retentionBytes: this.num('log.retention.bytes'),
      indexIntervalBytes: this.num('log.index.interval.bytes'),
      flushIntervalMessages: this.num('log.flush.interval.messages'),
      flushIntervalMs: this.logFlushIntervalMs,
      messageTimestampType: this.str('log.message.timestamp.type') as LogConfig['messageTimestampType'],
    };
  }

  private parseListeners(key: string, entries: string[]): ListenerSpec[] {
    const protocolMap = new Map<string, string>();
    for (const e of this.list('listener.security.protocol.map') ?? []) {
      const [name, proto] = e.split(':');
      if (!name || !proto) throw new ConfigException('listener.security.protocol.map', e, 'expected NAME:PROTOCOL');
      protocolMap.set(name.toUpperCase(), proto.toUpperCase());
    }
    const seen = new Set<string>();
    return entries.map((e) => {
      const m = /^([A-Za-z0-9_]+):\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]]*):(\d+)$/.exec(e);
      if (!m) throw new ConfigException(key, e, 'Unable to parse as a listener: expected NAME://host:port');
      const name = m[1].toUpperCase();
      const port = Number(m[3]);
      if (port > 65535) throw new ConfigException(key, e, 'port must be 0..65535');
      const securityProtocol = protocolMap.get(name) ?? name;
      if (seen.has(name)) throw new ConfigException(key, e, `Each listener must have a different name; ${name} appears twice`);
      seen.add(name);
      return { name, securityProtocol, host: m[2].replace(/^\[|\]$/g, ''), port };
    });
  }

  private validateDerived(): void {
    if (this.isSet('node.id') && this.isSet('broker.id') && this.num('node.id') !== this.num('broker.id')) {
      throw new ConfigException('broker.id', String(this.num('broker.id')), 'must equal node.id when both are set');
    }
    const listeners = this.listeners;
    if (listeners.length === 0) throw new ConfigException('listeners', '', 'at least one listener is required');
    for (const l of listeners) {
      if (l.securityProtocol !== 'PLAINTEXT') {
        throw new ConfigException('listeners', `${l.name}://${l.host}:${l.port}`, `security protocol ${l.securityProtocol} is not supported yet (only PLAINTEXT)`);
      }
    }
    for (const l of this.advertisedListeners) {
      if (!listeners.some((x) => x.name === l.name)) {
        throw new ConfigException('advertised.listeners', l.name, 'every advertised listener must also be in listeners');
      }
    }
    if (this.logDirs.length === 0) throw new ConfigException('log.dirs', '', 'at least one log directory is required');
    if (this.logDirs.length > 1) throw new ConfigException('log.dirs', this.logDirs.join(','), 'Brook supports one log directory');
  }
}

/** Loads the configuration from every source. Throws ConfigException on a bad value. */
export function loadBrokerConfig(opts: LoadConfigOptions = {}): BrokerConfig {
  const set = new Map<string, { value: ConfigValue; source: ConfigSource }>();
  const warnings: string[] = [];
  const apply = (key: string, raw: string, source: ConfigSource, where: string) => {
    const def = BROKER_CONFIG_BY_NAME.get(key);
    if (!def) {
      warnings.push(`Unknown configuration '${key}' (from ${where}) is ignored`);
      return;
    }
    set.set(key, { value: parseValue(def, raw), source });
  };

  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (e) {
      throw new ConfigException('--config', opts.file, `cannot read file: ${(e as Error).message}`);
    }
    for (const [k, v] of parseProperties(text)) apply(k, v, 'file', opts.file);
  }

  const env = opts.env ?? process.env;
  for (const prefix of ['KAFKA_', 'BROOK_']) {
    for (const name of Object.keys(env).sort()) {
      const value = env[name];
      if (!name.startsWith(prefix) || value === undefined || NON_CONFIG_ENV.has(name)) continue;
      apply(envNameToConfigKey(name, prefix), value, 'env', `environment variable ${name}`);
    }
  }

  const overrides = Array.isArray(opts.overrides) ? opts.overrides : Object.entries(opts.overrides ?? {});
  for (const [k, v] of overrides) apply(k, String(v), 'override', 'override');

  return new BrokerConfig(set, warnings);
}

/** Parses `key=value` (the --override argument). */
export function parseOverride(arg: string): [string, string] {
  const i = arg.indexOf('=');
  if (i <= 0) throw new ConfigException('--override', arg, 'expected key=value');
  return [arg.slice(0, i).trim(), arg.slice(i + 1)];
}

/** Host name to advertise for a listener bound to every interface (Kafka uses the canonical host name). */
export function defaultAdvertisedHost(): string {
  return hostname();
}

export { ConfigException, LONG_MAX };
