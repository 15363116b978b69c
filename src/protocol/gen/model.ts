/**
 * The generator's view of a message: its structs (named for TypeScript), each field's
 * JavaScript type and default, and the wire layout of every struct at one version.
 * Layouts that are byte-for-byte the same share one generated function.
 */
import type { FieldSpec, MessageSpec } from '../spec/ast.js';
import { contains, isEmpty } from '../spec/versions.js';

export const PRIMITIVES = new Set([
  'int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64', 'bool', 'uuid', 'string', 'bytes', 'records',
]);

/** Fixed wire size of a primitive, or 0 when it varies. */
export const FIXED: Record<string, number> = {
  int8: 1, int16: 2, int32: 4, int64: 8, uint16: 2, uint32: 4, float64: 8, bool: 1, uuid: 16,
};

export interface Struct {
  /** The spec's struct name (the message name for the top level). */
  specName: string;
  /** The TypeScript interface name. */
  tsName: string;
  fields: FieldSpec[];
}

export interface FieldType {
  array: boolean;
  /** A primitive name or a struct's spec name. */
  elem: string;
  isStruct: boolean;
}

export function fieldType(f: FieldSpec): FieldType {
  const array = f.type.startsWith('[]');
  const elem = array ? f.type.slice(2) : f.type;
  return { array, elem, isStruct: !PRIMITIVES.has(elem) };
}

/** Kafka's camelCase: the first letter lowered. */
export function jsName(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function anyVersion(v: { lo: number; hi: number }): boolean {
  return !isEmpty(v);
}

/** Collects the message and every struct it uses, keyed by spec name. */
export function collectStructs(msg: MessageSpec): Map<string, Struct> {
  const out = new Map<string, Struct>();
  const tsNameOf = (n: string) => (n.startsWith(msg.name) ? n : msg.name + n);
  const common = new Map(msg.commonStructs.map((s) => [s.name, s]));
  const visit = (specName: string, tsName: string, fields: FieldSpec[]) => {
    if (out.has(specName)) {
      if (out.get(specName)!.fields !== fields) throw new Error(`${msg.name}: struct ${specName} is defined twice`);
      return;
    }
    out.set(specName, { specName, tsName, fields });
    for (const f of fields) {
      const t = fieldType(f);
      if (!t.isStruct) continue;
      const inner = f.fields ?? common.get(t.elem)?.fields;
      if (!inner) throw new Error(`${msg.name}.${f.name}: unknown struct ${t.elem}`);
      visit(t.elem, tsNameOf(t.elem), inner);
    }
  };
  visit(msg.name, msg.name, msg.fields);
  return out;
}

/** How one field is laid out at one version. */
export interface FieldLayout {
  f: FieldSpec;
  name: string;
  t: FieldType;
  present: boolean;
  tagged: boolean;
  nullable: boolean;
  /** Compact strings/bytes/arrays (the message is flexible here, unless the field opts out). */
  compact: boolean;
  /** For struct fields: the layout key of the struct at this version. */
  structKey?: string;
}

export interface Layout {
  struct: Struct;
  version: number;
  flexible: boolean;
  fields: FieldLayout[];
  key: string;
}

export class MessageModel {
  readonly structs: Map<string, Struct>;
  /** spec name → version → layout */
  private readonly layouts = new Map<string, Map<number, Layout>>();
  /** spec name → layout key → the lowest version with that key (names the function) */
  readonly keyVersion = new Map<string, Map<string, number>>();

  constructor(readonly msg: MessageSpec) {
    this.structs = collectStructs(msg);
  }

  versions(): number[] {
    const out: number[] = [];
    for (let v = this.msg.validVersions.lo; v <= this.msg.validVersions.hi; v++) out.push(v);
    return out;
  }

  layout(specName: string, v: number): Layout {
    let byV = this.layouts.get(specName);
    if (!byV) this.layouts.set(specName, (byV = new Map()));
    const hit = byV.get(v);
    if (hit) return hit;
    const struct = this.structs.get(specName)!;
    const flexible = contains(this.msg.flexibleVersions, v);
    const fields = struct.fields.map((f): FieldLayout => {
      const t = fieldType(f);
      const present = contains(f.versions, v);
      const tagged = present && contains(f.taggedVersions, v);
      const fl: FieldLayout = {
        f,
        name: jsName(f.name),
        t,
        present,
        tagged,
        nullable: present && contains(f.nullableVersions, v),
        compact: f.flexibleVersions ? contains(f.flexibleVersions, v) : flexible,
      };
      if (present && t.isStruct) fl.structKey = this.layout(t.elem, v).key;
      return fl;
    });
    const key = JSON.stringify([
      flexible,
      fields.map((x) => (x.present ? [x.name, x.tagged ? x.f.tag : -1, x.nullable, x.compact, x.structKey ?? ''] : 0)),
    ]);
    const layout: Layout = { struct, version: v, flexible, fields, key };
    byV.set(v, layout);
    let keys = this.keyVersion.get(specName);
    if (!keys) this.keyVersion.set(specName, (keys = new Map()));
    if (!keys.has(key)) keys.set(key, v);
    return layout;
  }

  /** The suffix naming a layout's generated functions: the lowest version sharing it. */
  fnVersion(specName: string, key: string): number {
    return this.keyVersion.get(specName)!.get(key)!;
  }
}

/** The TypeScript type of a field's value, across all its versions. */
export function tsType(f: FieldSpec, structs: Map<string, Struct>): string {
  const t = fieldType(f);
  const nullable = anyVersion(f.nullableVersions) ? ' | null' : '';
  let elem: string;
  if (t.isStruct) elem = structs.get(t.elem)!.tsName;
  else elem = TS_PRIMITIVE[t.elem];
  return t.array ? `${elem}[]${nullable}` : `${elem}${nullable}`;
}

const TS_PRIMITIVE: Record<string, string> = {
  int8: 'number', int16: 'number', int32: 'number', int64: 'bigint', uint16: 'number', uint32: 'number',
  float64: 'number', bool: 'boolean', uuid: 'string', string: 'string', bytes: 'Buffer', records: 'Buffer',
};

/** True when the field's default is null. */
export function defaultIsNull(f: FieldSpec): boolean {
  if (f.default !== undefined) return f.default === 'null';
  return anyVersion(f.nullableVersions);
}

/**
 * The field's default as an expression. Absent a spec default: null for nullable fields,
 * else 0, 0n, '', false, [], an empty Buffer, ZERO_UUID or a struct of defaults.
 */
export function defaultExpr(f: FieldSpec, structs: Map<string, Struct>): string {
  if (defaultIsNull(f)) return 'null';
  return zeroExpr(f, structs);
}

/** The default, but never null (for versions where the field cannot be null). */
export function zeroExpr(f: FieldSpec, structs: Map<string, Struct>): string {
  const t = fieldType(f);
  const d = f.default !== undefined && f.default !== 'null' ? f.default : undefined;
  if (t.array) return '[]';
  if (t.isStruct) return `z${structs.get(t.elem)!.tsName}()`;
  switch (t.elem) {
    case 'int64':
      return d === undefined ? '0n' : `${BigInt(d)}n`;
    case 'bool':
      return d === 'true' ? 'true' : 'false';
    case 'string':
      return JSON.stringify(d ?? '');
    case 'uuid':
      return 'ZERO_UUID';
    case 'bytes':
    case 'records':
      return 'EMPTY';
    default: {
      const n = d === undefined ? 0 : Number(d);
      if (!Number.isFinite(n)) throw new Error(`bad default ${d} for ${f.name}`);
      return String(n);
    }
  }
}
