/**
 * Client quotas (DescribeClientQuotas / AlterClientQuotas): values per entity (user, client-id, the
 * user+client-id pair, or ip; a null name is the default entity), validated with Kafka 4.x's rules and
 * wording, persisted to <log.dirs>/__brook_client_quotas.json (atomic rewrite). Enforcement comes later:
 * this store only keeps and describes them.
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import { ErrorCode } from '../protocol/errors.js';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';

export const QUOTAS_FILE = '__brook_client_quotas.json';
const ENTITY_TYPES = ['client-id', 'ip', 'user'];
/** Quota keys per entity kind; 'long' values must be whole numbers. */
const CLIENT_KEYS: Record<string, 'long' | 'double'> = { producer_byte_rate: 'long', consumer_byte_rate: 'long', request_percentage: 'double', controller_mutation_rate: 'double' };
const IP_KEYS: Record<string, 'long' | 'double'> = { connection_creation_rate: 'long' };

export interface EntityPart {
  entityType: string;
  entityName: string | null;
}
export interface FilterComponent {
  entityType: string;
  /** 0 exact name, 1 default entity, 2 any specified (non-default) name. */
  matchType: number;
  match: string | null;
}
export interface QuotaOp {
  key: string;
  value: number;
  remove: boolean;
}
export interface QuotaEntry {
  entity: EntityPart[];
  values: Array<{ key: string; value: number }>;
}

const sortParts = (parts: EntityPart[]) => [...parts].sort((a, b) => (a.entityType < b.entityType ? -1 : 1));
const keyOf = (parts: EntityPart[]) => JSON.stringify(sortParts(parts).map((p) => [p.entityType, p.entityName]));
const describeEntity = (parts: EntityPart[]) => `ClientQuotaEntity(entries={${sortParts(parts).map((p) => `${p.entityType}=${p.entityName}`).join(', ')}})`;

export class QuotaStore {
  private readonly entries = new Map<string, { entity: EntityPart[]; values: Map<string, number> }>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly path: string | null) {}

  static async open(dir: string | null): Promise<QuotaStore> {
    const store = new QuotaStore(dir === null ? null : join(dir, QUOTAS_FILE));
    const text = store.path === null ? null : await readFileIfExists(store.path);
    if (text !== null) {
      const data = JSON.parse(text) as { version: number; entries: QuotaEntry[] };
      for (const e of data.entries) store.entries.set(keyOf(e.entity), { entity: sortParts(e.entity), values: new Map(e.values.map((v) => [v.key, v.value])) });
    }
    return store;
  }

  describe(components: readonly FilterComponent[], strict: boolean): { errorCode: number; errorMessage: string | null; entries: QuotaEntry[] | null } {
    const fail = (errorCode: number, errorMessage: string) => ({ errorCode, errorMessage, entries: null });
    const seen = new Set<string>();
    for (const c of components) {
      if (!ENTITY_TYPES.includes(c.entityType)) return fail(ErrorCode.UNSUPPORTED_VERSION, `Unsupported entity type ${c.entityType}`);
      if (seen.has(c.entityType)) return fail(ErrorCode.INVALID_REQUEST, `Entity type ${c.entityType} cannot appear more than once in the filter.`);
      seen.add(c.entityType);
      if (c.matchType < 0 || c.matchType > 2) return fail(ErrorCode.INVALID_REQUEST, `Unknown match type ${c.matchType}`);
      if (c.matchType === 0 && c.match === null) return fail(ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_EXACT, but set match string to null.');
    }
    const matches = (entity: EntityPart[]) => {
      if (strict && (entity.length !== components.length || entity.some((p) => !seen.has(p.entityType)))) return false;
      return components.every((c) => {
        const part = entity.find((p) => p.entityType === c.entityType);
        if (!part) return false;
        return c.matchType === 0 ? part.entityName === c.match : c.matchType === 1 ? part.entityName === null : part.entityName !== null;
      });
    };
    const entries = [...this.entries.values()]
      .filter((e) => matches(e.entity))
      .map((e) => ({ entity: e.entity, values: [...e.values].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => ({ key, value })) }));
    return { errorCode: 0, errorMessage: '', entries };
  }

  /** Applies each entry (unless validateOnly); returns one result per request entry, in order. */
  async alter(request: ReadonlyArray<{ entity: EntityPart[]; ops: QuotaOp[] }>, validateOnly: boolean): Promise<Array<{ errorCode: number; errorMessage: string | null; entity: EntityPart[] }>> {
    const results = [];
    const done = new Set<string>();
    let changed = false;
    for (const req of request) {
      const byType = new Map<string, string | null>();
      for (const p of req.entity) byType.set(p.entityType, p.entityName); // a repeated type: the last one wins, as in Kafka
      const entity = sortParts([...byType].map(([entityType, entityName]) => ({ entityType, entityName })));
      const key = keyOf(entity);
      const error = done.has(key) ? `Ignoring duplicate entity ${describeEntity(entity)}` : this.validate(entity, req.ops);
      done.add(key);
      if (error) {
        results.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: error, entity });
        continue;
      }
      if (!validateOnly) {
        const cur = this.entries.get(key) ?? { entity, values: new Map<string, number>() };
        for (const op of req.ops) {
          if (op.remove) cur.values.delete(op.key);
          else cur.values.set(op.key, op.value);
        }
        if (cur.values.size === 0) this.entries.delete(key);
        else this.entries.set(key, cur);
        changed = true;
      }
      results.push({ errorCode: 0, errorMessage: null, entity });
    }
    if (changed) await this.persist();
    return results;
  }

  private validate(entity: EntityPart[], ops: QuotaOp[]): string | null {
    if (entity.length === 0) return 'Invalid empty client quota entity';
    for (const p of entity) {
      if (!ENTITY_TYPES.includes(p.entityType)) return `Unhandled client quota entity type: ${p.entityType}`;
      if (p.entityName === '') return `Empty ${p.entityType} not supported`;
    }
    const types = entity.map((p) => p.entityType).join('+');
    let keys: Record<string, 'long' | 'double'>;
    if (types === 'user' || types === 'client-id' || types === 'client-id+user') keys = CLIENT_KEYS;
    else if (types === 'ip') {
      const ip = entity[0].entityName;
      if (ip !== null && isIP(ip) === 0) return `${ip} is not a valid IP or resolvable host.`;
      keys = IP_KEYS;
    } else return 'Invalid empty client quota entity';
    const seen = new Set<string>();
    for (const op of ops) {
      if (seen.has(op.key)) return `Duplicate quota key ${op.key} not updating quota for this entity ${describeEntity(entity)}`;
      seen.add(op.key);
      const type = keys[op.key];
      if (!type) return `Invalid configuration key ${op.key}`;
      if (op.remove) continue;
      if (type === 'long' && !Number.isInteger(op.value)) return `${op.key} cannot be a fractional value.`;
      if (!(op.value > 0)) return `Quota ${op.key} must be greater than 0`;
    }
    return null;
  }

  private persist(): Promise<void> {
    if (this.path === null) return Promise.resolve();
    const path = this.path;
    const entries = [...this.entries.values()].map((e) => ({ entity: e.entity, values: [...e.values].map(([key, value]) => ({ key, value })) }));
    const text = JSON.stringify({ version: 1, entries }, null, 1) + '\n';
    this.writing = this.writing.catch(() => {}).then(() => writeFileAtomic(path, text));
    return this.writing;
  }
}

/** The broker's quota store (broker.ts registers it; a memory-only one is made on first use otherwise). */
export async function quotaStore(extensions: Map<string, unknown>): Promise<QuotaStore> {
  let store = extensions.get('quotas') as QuotaStore | undefined;
  if (!store) {
    store = await QuotaStore.open(null);
    if (!extensions.has('quotas')) extensions.set('quotas', store);
    store = extensions.get('quotas') as QuotaStore;
  }
  return store;
}
