/**
 * Test-side value generator: a random message for one version, written independently of
 * the generator's own code. Fields absent at that version hold the decoder's defaults;
 * nullability, taggedness and version presence follow the spec.
 */
import type { FieldSpec, MessageSpec } from '../../src/protocol/spec/ast.js';
import { contains, isEmpty } from '../../src/protocol/spec/versions.js';
import { collectStructs, type Struct } from '../../src/protocol/gen/model.js';
import { ZERO_UUID } from '../../src/protocol/primitives/types.js';

export type Rng = () => number;

/** Mulberry32: small, seeded, deterministic. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = ['a', 'b', 'z', '0', '-', '_', '.', ' ', 'é', 'ß', '日', '本', '🎉'];

function int(rand: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

function str(rand: Rng): string {
  const n = int(rand, 0, 12);
  let s = '';
  for (let i = 0; i < n; i++) s += CHARS[int(rand, 0, CHARS.length - 1)];
  return s;
}

function bytes(rand: Rng, max = 24): Buffer {
  const b = Buffer.alloc(int(rand, 0, max));
  for (let i = 0; i < b.length; i++) b[i] = int(rand, 0, 255);
  return b;
}

function int64(rand: Rng): bigint {
  const pick = rand();
  if (pick < 0.2) return -1n;
  if (pick < 0.3) return -(2n ** 63n);
  if (pick < 0.4) return 2n ** 63n - 1n;
  return BigInt.asIntN(64, (BigInt(int(rand, 0, 0xffffffff)) << 32n) | BigInt(int(rand, 0, 0xffffffff)));
}

function uuid(rand: Rng): string {
  if (rand() < 0.2) return ZERO_UUID;
  return Buffer.from(Array.from({ length: 16 }, () => int(rand, 0, 255))).toString('hex');
}

const lower = (n: string) => n.charAt(0).toLowerCase() + n.slice(1);

function isPrimitive(t: string): boolean {
  return ['int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64', 'bool', 'uuid', 'string', 'bytes', 'records'].includes(t);
}

/** The decoder's default for a field (spec default, else zero / null when nullable). */
export function defaultOf(f: FieldSpec, structs: Map<string, Struct>): unknown {
  const nullDefault = f.default !== undefined ? f.default === 'null' : !isEmpty(f.nullableVersions);
  if (nullDefault) return null;
  return zeroOf(f, structs);
}

function zeroOf(f: FieldSpec, structs: Map<string, Struct>): unknown {
  const d = f.default !== undefined && f.default !== 'null' ? f.default : undefined;
  if (f.type.startsWith('[]')) return [];
  if (!isPrimitive(f.type)) {
    const st = structs.get(f.type)!;
    return Object.fromEntries(st.fields.map((x) => [lower(x.name), defaultOf(x, structs)]));
  }
  switch (f.type) {
    case 'int64':
      return d === undefined ? 0n : BigInt(d);
    case 'bool':
      return d === 'true';
    case 'string':
      return d ?? '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    default:
      return d === undefined ? 0 : Number(d);
  }
}

function scalar(type: string, rand: Rng): unknown {
  switch (type) {
    case 'int8': return int(rand, -128, 127);
    case 'int16': return int(rand, -32768, 32767);
    case 'int32': return int(rand, -2147483648, 2147483647);
    case 'uint16': return int(rand, 0, 65535);
    case 'uint32': return int(rand, 0, 0xffffffff);
    case 'int64': return int64(rand);
    case 'float64': return rand() < 0.2 ? 0 : (rand() - 0.5) * 1e12;
    case 'bool': return rand() < 0.5;
    case 'uuid': return uuid(rand);
    case 'string': return str(rand);
    default: return bytes(rand);
  }
}

export class ValueGen {
  readonly structs: Map<string, Struct>;

  constructor(readonly msg: MessageSpec, private readonly rand: Rng) {
    this.structs = collectStructs(msg);
  }

  private flexible(v: number): boolean {
    return contains(this.msg.flexibleVersions, v);
  }

  message(v: number): Record<string, unknown> {
    return this.struct(this.msg.name, v, 0);
  }

  private struct(name: string, v: number, depth: number): Record<string, unknown> {
    const st = this.structs.get(name)!;
    const o: Record<string, unknown> = {};
    const tags = new Set<number>();
    for (const f of st.fields) {
      o[lower(f.name)] = this.field(f, v, depth);
      if (f.tag !== undefined) tags.add(f.tag);
    }
    if (this.flexible(v) && this.rand() < 0.15) {
      const u: { tag: number; data: Buffer }[] = [];
      let tag = 90 + int(this.rand, 0, 5);
      for (let i = int(this.rand, 1, 2); i > 0; i--, tag += int(this.rand, 1, 300)) {
        if (!tags.has(tag)) u.push({ tag, data: bytes(this.rand, 6) });
      }
      if (u.length) o._unknownTaggedFields = u;
    }
    return o;
  }

  private field(f: FieldSpec, v: number, depth: number): unknown {
    if (!contains(f.versions, v)) return defaultOf(f, this.structs);
    if (contains(f.taggedVersions, v) && this.rand() < 0.4) return defaultOf(f, this.structs);
    if (contains(f.nullableVersions, v) && this.rand() < 0.25) return null;
    const array = f.type.startsWith('[]');
    const elem = array ? f.type.slice(2) : f.type;
    const one = () => (isPrimitive(elem) ? scalar(elem, this.rand) : this.struct(elem, v, depth + 1));
    if (!array) return one();
    const n = depth > 3 ? 0 : int(this.rand, 0, 3);
    return Array.from({ length: n }, one);
  }
}
