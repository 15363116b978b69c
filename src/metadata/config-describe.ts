/**
 * DescribeConfigs answers, as Kafka 4.x's ConfigHelper builds them: every topic config with its
 * effective value, source and synonyms (topic override → dynamic per-broker → dynamic cluster default →
 * static → default, cut before the first synonym named like the topic config's primary broker key),
 * broker configs for this node or the cluster default, and the broker-logger view.
 */
import { BROKER_CONFIG_BY_NAME, BROKER_CONFIG_DEFS } from './broker-config-defs.js';
import type { BrokerConfig } from './broker-config.js';
import { type ConfigDef, type ConfigType, type ConfigValue, formatValue } from './config-types.js';
import { effectiveTopicConfig, TOPIC_CONFIG_BY_NAME, TOPIC_CONFIG_DEFS, type TopicConfigOverrides } from './topic-config.js';

/** DescribeConfigsResponse ConfigSource ids. */
export const ConfigSourceId = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** DescribeConfigsResponse ConfigType ids (v3+). */
const CONFIG_TYPE_ID: Record<ConfigType, number> = { boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, class: 8, password: 9 };

export interface ConfigSynonymView {
  name: string;
  value: string | null;
  source: number;
}

export interface ConfigEntryView {
  name: string;
  value: string | null;
  readOnly: boolean;
  /** DescribeConfigs v0: the value is the default. */
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: ConfigSynonymView[];
  configType: number;
  documentation: string | null;
}

/**
 * Each topic config's broker keys, highest priority first (Kafka's ServerTopicConfigSynonyms). Topic
 * configs missing here have no broker default.
 */
export const TOPIC_CONFIG_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  'segment.bytes': ['log.segment.bytes'],
  'segment.ms': ['log.roll.ms', 'log.roll.hours'],
  'segment.jitter.ms': ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  'segment.index.bytes': ['log.index.size.max.bytes'],
  'flush.messages': ['log.flush.interval.messages'],
  'flush.ms': ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
  'retention.bytes': ['log.retention.bytes'],
  'retention.ms': ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  'max.message.bytes': ['message.max.bytes'],
  'index.interval.bytes': ['log.index.interval.bytes'],
  'delete.retention.ms': ['log.cleaner.delete.retention.ms'],
  'min.compaction.lag.ms': ['log.cleaner.min.compaction.lag.ms'],
  'max.compaction.lag.ms': ['log.cleaner.max.compaction.lag.ms'],
  'file.delete.delay.ms': ['log.segment.delete.delay.ms'],
  'min.cleanable.dirty.ratio': ['log.cleaner.min.cleanable.ratio'],
  'cleanup.policy': ['log.cleanup.policy'],
  'unclean.leader.election.enable': ['unclean.leader.election.enable'],
  'min.insync.replicas': ['min.insync.replicas'],
  'compression.type': ['compression.type'],
  'compression.gzip.level': ['compression.gzip.level'],
  'compression.lz4.level': ['compression.lz4.level'],
  'compression.zstd.level': ['compression.zstd.level'],
  'preallocate': ['log.preallocate'],
  'message.timestamp.type': ['log.message.timestamp.type'],
  'message.timestamp.before.max.ms': ['log.message.timestamp.before.max.ms'],
  'message.timestamp.after.max.ms': ['log.message.timestamp.after.max.ms'],
  'local.retention.ms': ['log.local.retention.ms'],
  'local.retention.bytes': ['log.local.retention.bytes'],
};

/** Broker keys that share a value with others (log.retention.ms/minutes/hours ...), in priority order. */
function brokerSynonyms(name: string): readonly string[] {
  for (const list of Object.values(TOPIC_CONFIG_SYNONYMS)) if (list.length > 1 && list.includes(name)) return list;
  return [name];
}

/**
 * Broker configs that can change without a restart (Kafka's DynamicBrokerConfig.ALL_DYNAMIC_CONFIGS,
 * restricted to the keys Brook knows): the primary broker key of every topic config, thread pools and
 * connection limits. Everything else is read-only.
 */
export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set([
  ...Object.values(TOPIC_CONFIG_SYNONYMS).map((l) => l[0]),
  'num.io.threads', 'num.network.threads', 'background.threads', 'log.cleaner.threads', 'log.cleaner.backoff.ms',
  'max.connections', 'max.connections.per.ip', 'num.recovery.threads.per.data.dir',
]);

/** Broker keys Brook adds for itself (not Kafka's): not described. */
const brookOnly = (def: ConfigDef) => def.doc?.startsWith('Brook') ?? false;

/** Renders a value the way ConfigDef.convertToString does (lists comma-joined, password hidden). */
function render(def: ConfigDef | undefined, value: ConfigValue): string | null {
  if (def?.type === 'password') return null;
  return formatValue(value);
}

/**
 * Where each of `names` is set, Kafka's order: dynamic per-broker, dynamic cluster default, static,
 * default; leading entries before `primary` are dropped (e.g. a default log.retention.hours is not a
 * synonym of retention.ms while log.retention.ms is unset).
 */
function synonymChain(config: BrokerConfig, primary: string, names: readonly string[]): ConfigSynonymView[] {
  const out: ConfigSynonymView[] = [];
  const layers: Array<[number, (n: string) => ConfigValue | undefined]> = [
    [ConfigSourceId.DYNAMIC_BROKER_CONFIG, (n) => config.dynamic('broker').get(n)],
    [ConfigSourceId.DYNAMIC_DEFAULT_BROKER_CONFIG, (n) => config.dynamic('cluster').get(n)],
    [ConfigSourceId.STATIC_BROKER_CONFIG, (n) => config.staticValue(n)],
    [ConfigSourceId.DEFAULT_CONFIG, (n) => BROKER_CONFIG_BY_NAME.get(n)?.default ?? undefined],
  ];
  for (const [source, lookup] of layers) {
    for (const n of names) {
      const v = lookup(n);
      if (v !== undefined && v !== null) out.push({ name: n, value: render(BROKER_CONFIG_BY_NAME.get(n), v), source });
    }
  }
  const first = out.findIndex((s) => s.name === primary);
  return first < 0 ? [] : out.slice(first);
}

function entry(name: string, def: ConfigDef | undefined, value: string | null, synonyms: ConfigSynonymView[], readOnly: boolean, includeSynonyms: boolean, includeDocs: boolean): ConfigEntryView {
  const configSource = synonyms.length > 0 ? synonyms[0].source : ConfigSourceId.DEFAULT_CONFIG;
  return {
    name,
    value,
    readOnly,
    isDefault: configSource === ConfigSourceId.DEFAULT_CONFIG,
    configSource,
    isSensitive: def?.type === 'password',
    synonyms: includeSynonyms ? synonyms : [],
    configType: def ? CONFIG_TYPE_ID[def.type] : 0,
    documentation: includeDocs ? (def?.doc ?? null) : null,
  };
}

const wanted = (keys: readonly string[] | null) => (keys === null || keys.length === 0 ? () => true : (n: string) => keys.includes(n));

/** Every topic config of a topic with `overrides`, sorted by name. */
export function describeTopicConfigs(config: BrokerConfig, overrides: TopicConfigOverrides, keys: readonly string[] | null, includeSynonyms: boolean, includeDocs: boolean): ConfigEntryView[] {
  const want = wanted(keys);
  return TOPIC_CONFIG_DEFS.filter((d) => want(d.name))
    .map((def) => {
      const value = render(def, effectiveTopicConfig(def.name, overrides, config) ?? def.default);
      const names = TOPIC_CONFIG_SYNONYMS[def.name];
      const synonyms = names ? synonymChain(config, names[0], names) : [];
      if (overrides[def.name] !== undefined) synonyms.unshift({ name: def.name, value, source: ConfigSourceId.DYNAMIC_TOPIC_CONFIG });
      return entry(def.name, def, value, synonyms, false, includeSynonyms, includeDocs);
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Broker configs. `perBroker`: this node's effective configs (every known key); otherwise the cluster
 * default resource, which lists only the dynamic cluster defaults (and `unknownDefaults`, kept as sent).
 */
export function describeBrokerConfigs(config: BrokerConfig, perBroker: boolean, keys: readonly string[] | null, includeSynonyms: boolean, includeDocs: boolean, unknownDefaults: ReadonlyMap<string, string> = new Map()): ConfigEntryView[] {
  const want = wanted(keys);
  const out: ConfigEntryView[] = [];
  const names = perBroker ? BROKER_CONFIG_DEFS.filter((d) => !brookOnly(d)).map((d) => d.name) : [...config.dynamic('cluster').keys()];
  for (const name of names) {
    if (!want(name)) continue;
    const def = BROKER_CONFIG_BY_NAME.get(name)!;
    let synonyms = synonymChain(config, name, brokerSynonyms(name));
    if (!perBroker) synonyms = synonyms.filter((s) => s.source === ConfigSourceId.DYNAMIC_DEFAULT_BROKER_CONFIG);
    const value = perBroker ? render(def, config.get(name)) : render(def, config.dynamic('cluster').get(name)!);
    out.push(entry(name, def, value, synonyms, !DYNAMIC_BROKER_CONFIGS.has(name), includeSynonyms, includeDocs));
  }
  if (!perBroker) {
    for (const [name, value] of unknownDefaults) {
      if (!want(name)) continue;
      const synonyms = [{ name, value, source: ConfigSourceId.DYNAMIC_DEFAULT_BROKER_CONFIG }];
      out.push(entry(name, undefined, value, synonyms, true, includeSynonyms, includeDocs));
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Pino levels as log4j names (the BROKER_LOGGER resource). */
export const LOG4J_LEVEL: Readonly<Record<string, string>> = { fatal: 'FATAL', error: 'ERROR', warn: 'WARN', info: 'INFO', debug: 'DEBUG', trace: 'TRACE', silent: 'OFF' };
export const PINO_LEVEL: Readonly<Record<string, string>> = { ALL: 'trace', TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'fatal', OFF: 'silent' };

/** The BROKER_LOGGER view: Brook has one logger, "root". */
export function describeLoggers(level: string, keys: readonly string[] | null): ConfigEntryView[] {
  if (!wanted(keys)('root')) return [];
  return [{ name: 'root', value: LOG4J_LEVEL[level] ?? level.toUpperCase(), readOnly: false, isDefault: false, configSource: ConfigSourceId.DYNAMIC_BROKER_LOGGER_CONFIG, isSensitive: false, synonyms: [], configType: 0, documentation: null }];
}

export { TOPIC_CONFIG_BY_NAME };
