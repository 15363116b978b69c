/**
 * The config service behind DescribeConfigs, AlterConfigs and IncrementalAlterConfigs: topic configs
 * (stored in the topic registry through TopicManager.setTopicConfigs), dynamic broker configs (this
 * node and the cluster default, persisted to <log.dirs>/__brook_broker_configs.json and applied to
 * every partition log at once) and the broker logger. Validation and error wording follow Kafka 4.x:
 * topic config problems are INVALID_CONFIG, broker config problems INVALID_REQUEST. Errors are data.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode } from '../protocol/errors.js';
import type { StorageEngine } from '../storage/engine.js';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';
import { BROKER_CONFIG_BY_NAME } from './broker-config-defs.js';
import type { BrokerConfig, DynamicScope } from './broker-config.js';
import { type ConfigEntryView, describeBrokerConfigs, describeLoggers, describeTopicConfigs, DYNAMIC_BROKER_CONFIGS, PINO_LEVEL } from './config-describe.js';
import { ConfigException, type ConfigValue, parseValue } from './config-types.js';
import { effectiveTopicConfig, TOPIC_CONFIG_BY_NAME, type TopicConfigOverrides, validateTopicConfigs } from './topic-config.js';
import { invalidTopicReason } from './topic-names.js';
import type { TopicManager } from './topics.js';

export const BROKER_CONFIGS_FILE = '__brook_broker_configs.json';
export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
const OP_NAME = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];
/** Errors.INVALID_REQUEST's default message: what Kafka answers when a whole request is rejected. */
export const MALFORMED_REQUEST_MESSAGE =
  'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.';

export interface DescribeResource {
  resourceType: number;
  resourceName: string;
  configurationKeys: string[] | null;
}
export interface DescribeResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: ConfigEntryView[];
}
export interface AlterResource {
  resourceType: number;
  resourceName: string;
  /** AlterConfigs entries are SETs of the complete new set; `op` matters for IncrementalAlterConfigs. */
  configs: Array<{ name: string; op: number; value: string | null }>;
}
export interface AlterResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

type Outcome = { errorCode: number; errorMessage: string | null };
const OK: Outcome = { errorCode: 0, errorMessage: null };
const err = (errorCode: number, errorMessage: string | null): Outcome => ({ errorCode, errorMessage });

interface StoredConfigs {
  version: 1;
  broker: Record<string, string>;
  cluster: Record<string, string>;
}

export class ConfigService {
  private topics: TopicManager | null = null;
  private storage: StorageEngine | null = null;
  /** Dynamic broker configs as sent (unknown keys included: Kafka accepts and keeps them). */
  private readonly raw: Record<DynamicScope, Map<string, string>> = { broker: new Map(), cluster: new Map() };
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly config: BrokerConfig,
    private readonly path: string | null,
    private readonly logger: Logger,
  ) {}

  /** Loads the persisted dynamic broker configs (dir null: memory only) and applies them to `config`. */
  static async open(config: BrokerConfig, dir: string | null, logger: Logger): Promise<ConfigService> {
    const svc = new ConfigService(config, dir === null ? null : join(dir, BROKER_CONFIGS_FILE), logger);
    const text = svc.path === null ? null : await readFileIfExists(svc.path);
    if (text !== null) {
      let data: StoredConfigs;
      try {
        data = JSON.parse(text) as StoredConfigs;
      } catch (e) {
        throw new Error(`${svc.path} is corrupt: ${(e as Error).message}`);
      }
      for (const scope of ['broker', 'cluster'] as const) {
        for (const [k, v] of Object.entries(data[scope] ?? {})) {
          const def = BROKER_CONFIG_BY_NAME.get(k);
          try {
            if (def) config.setDynamic(scope, k, parseValue(def, v));
            svc.raw[scope].set(k, v);
          } catch (e) {
            logger.warn({ config: k, value: v, err: (e as Error).message }, 'ignoring an invalid stored dynamic broker config');
          }
        }
      }
    }
    return svc;
  }

  /** A service that persists nothing (memory storage, tests). */
  static inMemory(config: BrokerConfig, logger: Logger): ConfigService {
    return new ConfigService(config, null, logger);
  }

  /** Gives the service the topics and logs it updates (after TopicManager.open()). */
  attach(topics: TopicManager, storage: StorageEngine): void {
    this.topics = topics;
    this.storage = storage;
  }

  /** Dynamic broker configs as stored (tests, DescribeConfigs). */
  dynamicConfigs(scope: DynamicScope): ReadonlyMap<string, string> {
    return this.raw[scope];
  }

  // ---- DescribeConfigs

  describe(resources: readonly DescribeResource[], includeSynonyms: boolean, includeDocs: boolean): DescribeResult[] {
    const known = new Set<number>(Object.values(ResourceType));
    if (resources.some((r) => !known.has(r.resourceType))) {
      // Kafka rejects the whole request when one resource has an unknown type.
      return resources.map((r) => ({ ...err(ErrorCode.INVALID_REQUEST, MALFORMED_REQUEST_MESSAGE), resourceType: r.resourceType, resourceName: r.resourceName, configs: [] }));
    }
    return resources.map((r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      const out = this.describeOne(r, includeSynonyms, includeDocs);
      return Array.isArray(out) ? { ...base, errorCode: 0, errorMessage: '', configs: out } : { ...base, ...out, configs: [] };
    });
  }

  private describeOne(r: DescribeResource, syn: boolean, docs: boolean): ConfigEntryView[] | Outcome {
    const nodeId = this.config.nodeId;
    const name = r.resourceName;
    switch (r.resourceType) {
      case ResourceType.TOPIC: {
        const invalid = invalidTopicReason(name);
        if (invalid) return err(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name is invalid: ${invalid}`);
        const topic = this.topics?.get(name);
        if (!topic) return err(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, '');
        return describeTopicConfigs(this.config, topic.configs, r.configurationKeys, syn, docs);
      }
      case ResourceType.BROKER: {
        if (name === '') return describeBrokerConfigs(this.config, false, r.configurationKeys, syn, docs, this.unknownKeys('cluster'));
        if (!/^[+-]?\d+$/.test(name)) return err(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
        if (Number(name) !== nodeId) return err(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId} or empty string, but received ${name}`);
        return describeBrokerConfigs(this.config, true, r.configurationKeys, syn, docs);
      }
      case ResourceType.BROKER_LOGGER: {
        if (name === '') return err(ErrorCode.INVALID_REQUEST, 'Broker id must not be empty');
        if (!/^[+-]?\d+$/.test(name)) return err(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
        if (Number(name) !== nodeId) return err(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId} but received ${name}`);
        return describeLoggers(String(this.logger.level), r.configurationKeys);
      }
      default:
        return err(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${r.resourceType === ResourceType.GROUP ? 'GROUP' : 'CLIENT_METRICS'}`);
    }
  }

  private unknownKeys(scope: DynamicScope): Map<string, string> {
    return new Map([...this.raw[scope]].filter(([k]) => !BROKER_CONFIG_BY_NAME.has(k)));
  }

  // ---- AlterConfigs / IncrementalAlterConfigs

  async alter(resources: readonly AlterResource[], incremental: boolean, validateOnly: boolean): Promise<AlterResult[]> {
    const seen = new Map<string, number>();
    for (const r of resources) seen.set(`${r.resourceType}\u0000${r.resourceName}`, (seen.get(`${r.resourceType}\u0000${r.resourceName}`) ?? 0) + 1);
    const results: AlterResult[] = [];
    for (const r of resources) {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (seen.get(`${r.resourceType}\u0000${r.resourceName}`)! > 1) {
        results.push({ ...base, ...err(ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.') });
        continue;
      }
      results.push({ ...base, ...(await this.alterOne(r, incremental, validateOnly)) });
    }
    return results;
  }

  private async alterOne(r: AlterResource, incremental: boolean, validateOnly: boolean): Promise<Outcome> {
    const type = r.resourceType;
    if (type !== ResourceType.TOPIC && type !== ResourceType.BROKER && !(incremental && type === ResourceType.BROKER_LOGGER)) {
      return err(ErrorCode.INVALID_REQUEST, `Unknown resource type ${type}`);
    }
    const names = new Set<string>();
    for (const c of r.configs) {
      if (names.has(c.name)) return err(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
      names.add(c.name);
    }
    for (const c of r.configs) {
      if (c.op < 0 || c.op > 3) return err(ErrorCode.UNKNOWN_SERVER_ERROR, null);
      if (c.value === null && c.op !== AlterOp.DELETE) return err(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${c.name}`);
    }
    if (type === ResourceType.TOPIC) return this.alterTopic(r, incremental, validateOnly);
    if (type === ResourceType.BROKER) return this.alterBroker(r, incremental, validateOnly);
    return this.alterLogger(r, validateOnly);
  }

  private async alterTopic(r: AlterResource, incremental: boolean, validateOnly: boolean): Promise<Outcome> {
    const topic = this.topics?.get(r.resourceName);
    if (!topic || !this.topics) return err(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${r.resourceName}' does not exist.`);
    const next: TopicConfigOverrides = incremental ? { ...topic.configs } : {};
    for (const c of r.configs) {
      if (c.op === AlterOp.DELETE) {
        delete next[c.name];
      } else if (c.op === AlterOp.SET) {
        next[c.name] = c.value!;
      } else {
        const def = TOPIC_CONFIG_BY_NAME.get(c.name);
        if (!def) return err(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`);
        if (def.type !== 'list') return err(ErrorCode.INVALID_CONFIG, `Can't ${OP_NAME[c.op]} to key ${c.name} because its type is not LIST.`);
        const current = (effectiveTopicConfig(c.name, next, this.config) as string[] | null) ?? [];
        next[c.name] = listOp(current, c.value!, c.op === AlterOp.APPEND).join(',');
      }
    }
    const checked = validateTopicConfigs(Object.entries(next));
    if (!checked.ok) return err(ErrorCode.INVALID_CONFIG, checked.message);
    const conflict = this.crossCheck(next);
    if (conflict) return err(ErrorCode.INVALID_CONFIG, conflict);
    const res = await this.topics.setTopicConfigs(r.resourceName, Object.entries(next), validateOnly);
    return 'message' in res ? err(res.errorCode, res.message) : OK;
  }

  /** Rules between configs (Kafka's LogConfig.validateValues and the tiered-storage checks). */
  private crossCheck(next: TopicConfigOverrides): string | null {
    const v = (n: string) => effectiveTopicConfig(n, next, this.config);
    const minLag = v('min.compaction.lag.ms') as number;
    const maxLag = v('max.compaction.lag.ms') as number;
    if (minLag > maxLag) return `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`;
    if (v('remote.storage.enable') === true) return 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.';
    return null;
  }

  private async alterBroker(r: AlterResource, incremental: boolean, validateOnly: boolean): Promise<Outcome> {
    const name = r.resourceName;
    let scope: DynamicScope = 'cluster';
    if (name !== '') {
      if (!/^[+-]?\d+$/.test(name)) return err(ErrorCode.INVALID_REQUEST, `Node id must be an integer, but it is: ${name}`);
      if (Number(name) !== this.config.nodeId) return err(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${this.config.nodeId}, but received ${name}`);
      scope = 'broker';
    }
    const current = this.raw[scope];
    const next = incremental ? new Map(current) : new Map<string, string>();
    for (const c of r.configs) {
      if (c.op === AlterOp.DELETE) next.delete(c.name);
      else if (c.op === AlterOp.SET) next.set(c.name, c.value!);
      else {
        const def = BROKER_CONFIG_BY_NAME.get(c.name);
        if (def?.type !== 'list') return err(ErrorCode.INVALID_CONFIG, `Can't ${OP_NAME[c.op]} to key ${c.name} because its type is not LIST.`);
        const base = next.has(c.name) ? (parseValue(def, next.get(c.name)!) as string[]) : ((this.config.get(c.name) as string[] | null) ?? []);
        next.set(c.name, listOp(base, c.value!, c.op === AlterOp.APPEND).join(','));
      }
    }
    const changed = [...new Set([...current.keys(), ...next.keys()])].filter((k) => current.get(k) !== next.get(k));
    const readOnly = changed.filter((k) => BROKER_CONFIG_BY_NAME.has(k) && !DYNAMIC_BROKER_CONFIGS.has(k));
    if (readOnly.length > 0) return err(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: [${readOnly.join(', ')}]`);
    const parsed = new Map<string, ConfigValue>();
    for (const [k, v] of next) {
      const def = BROKER_CONFIG_BY_NAME.get(k);
      if (!def) continue;
      try {
        parsed.set(k, parseValue(def, v));
      } catch (e) {
        if (e instanceof ConfigException) return err(ErrorCode.INVALID_REQUEST, e.message);
        throw e;
      }
    }
    if (validateOnly || changed.length === 0) return OK;
    for (const k of changed) this.config.setDynamic(scope, k, parsed.get(k));
    this.raw[scope] = next;
    await this.persist();
    this.reapplyLogConfigs();
    this.logger.info({ scope, changed }, 'dynamic broker configs updated');
    return OK;
  }

  private async alterLogger(r: AlterResource, validateOnly: boolean): Promise<Outcome> {
    const name = r.resourceName;
    if (name === '') return err(ErrorCode.INVALID_REQUEST, 'Broker id must not be empty');
    if (!/^[+-]?\d+$/.test(name)) return err(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
    if (Number(name) !== this.config.nodeId) return err(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${this.config.nodeId} but received ${name}`);
    let level: string | null = null;
    for (const c of r.configs) {
      if (c.op === AlterOp.APPEND || c.op === AlterOp.SUBTRACT) return err(ErrorCode.INVALID_REQUEST, `${OP_NAME[c.op]} operation is not allowed for the BROKER_LOGGER resource`);
      if (c.name !== 'root') return err(ErrorCode.INVALID_CONFIG, `Logger ${c.name} does not exist!`);
      if (c.op === AlterOp.DELETE) return err(ErrorCode.INVALID_REQUEST, 'Removing the log level of the root logger is not allowed');
      level = PINO_LEVEL[c.value!.toUpperCase()] ?? null;
      if (!level) return err(ErrorCode.INVALID_CONFIG, `Cannot set the log level of root to ${c.value} as it is not a supported log level. Valid log4j levels are ${Object.keys(PINO_LEVEL).join(', ')}`);
    }
    if (!validateOnly && level) this.logger.level = level;
    return OK;
  }

  /** Recomputes every partition log's LogConfig (broker defaults + topic overrides) after a broker change. */
  private reapplyLogConfigs(): void {
    if (!this.topics || !this.storage) return;
    for (const log of this.storage.partitions()) log.updateConfig(this.topics.logConfig(log.topic));
  }

  private persist(): Promise<void> {
    if (this.path === null) return Promise.resolve();
    const path = this.path;
    const data: StoredConfigs = { version: 1, broker: Object.fromEntries(this.raw.broker), cluster: Object.fromEntries(this.raw.cluster) };
    const text = JSON.stringify(data, null, 1) + '\n';
    this.writing = this.writing.catch(() => {}).then(() => writeFileAtomic(path, text));
    return this.writing;
  }
}

/** APPEND adds the comma-separated items not yet in the list; SUBTRACT removes them. */
function listOp(current: readonly string[], value: string, append: boolean): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (append) return [...current, ...items.filter((i) => !current.includes(i))];
  return current.filter((c) => !items.includes(c));
}

/** The broker's config service (broker.ts registers it; a memory-only one is made on first use otherwise). */
export function configService(services: { config: BrokerConfig; topics: TopicManager; storage: StorageEngine; logger: Logger; extensions: Map<string, unknown> }): ConfigService {
  let svc = services.extensions.get('configs') as ConfigService | undefined;
  if (!svc) {
    svc = ConfigService.inMemory(services.config, services.logger);
    svc.attach(services.topics, services.storage);
    services.extensions.set('configs', svc);
  }
  return svc;
}
