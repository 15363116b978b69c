/**
 * Emits the straight-line decode, encode and size functions of one struct layout (one
 * struct at the versions that share its wire format). Every version decision is made
 * here, at generation time: the emitted code never looks at the version.
 */
import { FIXED, defaultExpr, defaultIsNull, zeroExpr, type FieldLayout, type Layout, type MessageModel } from './model.js';

const CAP: Record<string, string> = {
  int8: 'Int8', int16: 'Int16', int32: 'Int32', int64: 'Int64', uint16: 'Uint16', uint32: 'Uint32',
  float64: 'Float64', bool: 'Bool', uuid: 'Uuid',
};

export class StructEmitter {
  constructor(private readonly model: MessageModel) {}

  fnName(prefix: 'd' | 'e' | 's', specName: string, v: number): string {
    const layout = this.model.layout(specName, v);
    const tsName = this.model.structs.get(specName)!.tsName;
    return `${prefix}${tsName}_${this.model.fnVersion(specName, layout.key)}`;
  }

  private tsName(specName: string): string {
    return this.model.structs.get(specName)!.tsName;
  }

  /** Minimum wire size of a struct layout (for array length checks); at least 1. */
  minSize(layout: Layout): number {
    let n = layout.flexible ? 1 : 0;
    for (const fl of layout.fields) if (fl.present && !fl.tagged) n += this.fieldMinSize(fl);
    return Math.max(1, n);
  }

  private fieldMinSize(fl: FieldLayout): number {
    if (fl.t.array) return fl.compact ? 1 : 4;
    return this.elemMinSize(fl, true);
  }

  private elemMinSize(fl: FieldLayout, asField: boolean): number {
    const e = fl.t.elem;
    if (FIXED[e]) return FIXED[e];
    if (e === 'string') return fl.compact ? 1 : 2;
    if (e === 'bytes' || e === 'records') return fl.compact ? 1 : 4;
    if (asField && fl.nullable) return 1;
    return this.minSize(this.model.layout(e, this.current!.version));
  }

  private current?: Layout;

  // ---- decode ----

  private elemReader(fl: FieldLayout): string {
    const e = fl.t.elem;
    if (fl.t.isStruct) return this.fnName('d', e, this.current!.version);
    if (CAP[e]) return `read${CAP[e]}`;
    if (e === 'string') return fl.compact ? 'readCompactString' : 'readString';
    return fl.compact ? 'readCompactBytes' : 'readBytes';
  }

  private readExpr(fl: FieldLayout): string {
    const e = fl.t.elem;
    const N = fl.nullable ? 'Nullable' : '';
    if (fl.t.array) {
      const min = this.elemMinSize(fl, false);
      const m = fl.compact ? `compact${N}Array` : N ? 'nullableArray' : 'array';
      return `r.${m}(${min}, ${this.elemReader(fl)})`;
    }
    if (fl.t.isStruct) {
      const d = `${this.elemReader(fl)}(r)`;
      if (!fl.nullable) return d;
      return fl.tagged ? `(r.uvarint() === 0 ? null : ${d})` : `(r.int8() < 0 ? null : ${d})`;
    }
    if (CAP[e]) return `r.${e === 'bool' ? 'bool' : e}()`;
    const base = e === 'string' ? 'String' : 'Bytes';
    if (fl.compact) return `r.compact${N}${base}()`;
    return N ? `r.nullable${base}()` : `r.${base.toLowerCase()}()`;
  }

  emitDecode(layout: Layout): string {
    this.current = layout;
    const name = this.fnName('d', layout.struct.specName, layout.version);
    const ts = layout.struct.tsName;
    const out: string[] = [`function ${name}(r: Reader): ${ts} {`];
    const props: string[] = [];
    layout.fields.forEach((fl, i) => {
      if (fl.present && !fl.tagged) {
        out.push(`  const f${i} = ${this.readExpr(fl)};`);
        props.push(`${fl.name}: f${i}`);
      } else {
        props.push(`${fl.name}: ${defaultExpr(fl.f, this.model.structs)}`);
      }
    });
    out.push(`  const o: ${ts} = { ${props.join(', ')} };`);
    if (layout.flexible) {
      const tagged = layout.fields.filter((fl) => fl.tagged).sort((a, b) => a.f.tag! - b.f.tag!);
      if (tagged.length === 0) {
        out.push('  const u = r.unknownTags();', '  if (u !== undefined) o._unknownTaggedFields = u;');
      } else {
        out.push('  for (let i = 0, n = r.tagCount(); i < n; i++) {');
        out.push('    const tag = r.uvarint();', '    const end = r.tagEnd();', '    if (end < 0) break;');
        out.push('    switch (tag) {');
        for (const fl of tagged) out.push(`      case ${fl.f.tag}: o.${fl.name} = ${this.readExpr(fl)}; break;`);
        out.push('      default: (o._unknownTaggedFields ??= []).push(r.unknownTag(tag, end));');
        out.push('    }', '    r.endTag(end);', '  }');
      }
    }
    out.push('  return o;', '}');
    return out.join('\n');
  }

  // ---- encode ----

  /** The field's value from an Init object, defaults applied. */
  private valueExpr(fl: FieldLayout): string {
    const m = `m.${fl.name}`;
    if (fl.nullable) {
      if (defaultIsNull(fl.f)) return `(${m} ?? null)`;
      return `(${m} === undefined ? ${this.encodeZero(fl)} : ${m})`;
    }
    return `(${m} ?? ${this.encodeZero(fl)})`;
  }

  private encodeZero(fl: FieldLayout): string {
    if (fl.t.array) return '[]';
    if (fl.t.isStruct) return '{}';
    return zeroExpr(fl.f, this.model.structs);
  }

  private elemWriter(fl: FieldLayout): string {
    const e = fl.t.elem;
    if (fl.t.isStruct) return this.fnName('e', e, this.current!.version);
    if (CAP[e]) return `write${CAP[e]}`;
    if (e === 'string') return fl.compact ? 'writeCompactString' : 'writeString';
    return fl.compact ? 'writeCompactBytes' : 'writeBytes';
  }

  private writeStmt(fl: FieldLayout, v: string): string {
    const e = fl.t.elem;
    const N = fl.nullable ? 'Nullable' : '';
    if (fl.t.array) {
      const m = fl.compact ? `compact${N}Array` : N ? 'nullableArray' : 'array';
      return `w.${m}(${v}, ${this.elemWriter(fl)});`;
    }
    if (fl.t.isStruct) {
      const en = this.elemWriter(fl);
      if (!fl.nullable) return `${en}(w, ${v});`;
      const [nul, one] = fl.tagged ? ['w.uvarint(0)', 'w.uvarint(1)'] : ['w.int8(-1)', 'w.int8(1)'];
      return `{ const x = ${v}; if (x === null) ${nul}; else { ${one}; ${en}(w, x); } }`;
    }
    if (CAP[e]) return `w.${e}(${v});`;
    const base = e === 'string' ? 'String' : 'Bytes';
    if (fl.compact) return `w.compact${N}${base}(${v});`;
    return N ? `w.nullable${base}(${v});` : `w.${base.toLowerCase()}(${v});`;
  }

  /** Size of a value held in the simple variable v; a number when fixed. */
  private sizeExpr(fl: FieldLayout, v: string): string | number {
    const e = fl.t.elem;
    const N = fl.nullable ? 'Nullable' : '';
    if (fl.t.array) {
      const len = fl.compact ? `sizeOfUvarint(${v}.length + 1)` : '4';
      let elems: string;
      if (FIXED[e]) elems = `${v}.length * ${FIXED[e]}`;
      else if (fl.t.isStruct) elems = `sizeOfElements(${v}, ${this.fnName('s', e, this.current!.version)})`;
      else if (e === 'string') elems = `sizeOfElements(${v}, ${fl.compact ? 'sizeOfCompactString' : 'sizeOfString'})`;
      else elems = `sizeOfElements(${v}, ${fl.compact ? 'sizeOfCompactBytes' : 'sizeOfBytes'})`;
      const s = `${len} + ${elems}`;
      return fl.nullable ? `(${v} === null ? ${fl.compact ? 1 : 4} : ${s})` : `(${s})`;
    }
    if (fl.t.isStruct) {
      const sn = `${this.fnName('s', e, this.current!.version)}(${v})`;
      return fl.nullable ? `(${v} === null ? 1 : 1 + ${sn})` : sn;
    }
    if (FIXED[e]) return FIXED[e];
    const base = e === 'string' ? 'String' : 'Bytes';
    if (fl.compact) return `sizeOfCompact${N}${base}(${v})`;
    return `sizeOf${N}${base}(${v})`;
  }

  /** Condition under which a tagged field's value v differs from its default. */
  private nonDefault(fl: FieldLayout, v: string): string {
    const f = fl.f;
    if (defaultIsNull(f)) return `${v} !== null`;
    const orNull = fl.nullable ? `${v} === null || ` : '';
    if (fl.t.array) return `(${orNull}${v}.length !== 0)`;
    if (fl.t.isStruct) return `(${orNull}!i${this.tsName(fl.t.elem)}(${v}))`;
    if (fl.t.elem === 'bytes' || fl.t.elem === 'records') return `(${orNull}bytesLength(${v}) !== 0)`;
    return `${v} !== ${zeroExpr(f, this.model.structs)}`;
  }

  emitEncode(layout: Layout): string {
    this.current = layout;
    const name = this.fnName('e', layout.struct.specName, layout.version);
    const out: string[] = [`function ${name}(w: Writer, m: Init<${layout.struct.tsName}>): void {`];
    for (const fl of layout.fields) {
      if (fl.present && !fl.tagged) out.push(`  ${this.writeStmt(fl, this.valueExpr(fl))}`);
    }
    if (layout.flexible) {
      const tagged = layout.fields.filter((fl) => fl.tagged).sort((a, b) => a.f.tag! - b.f.tag!);
      if (tagged.length === 0) {
        out.push('  writeUnknownTags(w, m._unknownTaggedFields);');
      } else {
        out.push('  const u = sortedTags(m._unknownTaggedFields);', '  let nt = u === undefined ? 0 : u.length;');
        tagged.forEach((fl, i) => {
          out.push(`  const t${i} = ${this.valueExpr(fl)};`, `  const h${i} = ${this.nonDefault(fl, `t${i}`)};`);
          out.push(`  if (h${i}) nt++;`);
        });
        out.push('  w.uvarint(nt);', '  let ui = 0;');
        tagged.forEach((fl, i) => {
          const tag = fl.f.tag!;
          const size = this.sizeExpr(fl, `t${i}`);
          out.push(`  if (h${i}) {`, `    if (u !== undefined) ui = w.rawTags(u, ui, ${tag});`);
          out.push(`    w.uvarint(${tag});`, `    w.uvarint(${size});`, `    ${this.writeStmt(fl, `t${i}`)}`, '  }');
        });
        out.push('  if (u !== undefined) w.rawTags(u, ui, Infinity);');
      }
    }
    out.push('}');
    return out.join('\n');
  }

  emitSize(layout: Layout): string {
    this.current = layout;
    const name = this.fnName('s', layout.struct.specName, layout.version);
    const body: string[] = [];
    let fixed = 0;
    for (const fl of layout.fields) {
      if (!fl.present || fl.tagged) continue;
      const probe = this.sizeExpr(fl, 'v');
      if (typeof probe === 'number') {
        fixed += probe;
        continue;
      }
      body.push(`  { const v = ${this.valueExpr(fl)}; s += ${probe}; }`);
    }
    if (layout.flexible) {
      const tagged = layout.fields.filter((fl) => fl.tagged).sort((a, b) => a.f.tag! - b.f.tag!);
      if (tagged.length === 0) {
        body.push('  s += sizeOfUnknownTags(m._unknownTaggedFields);');
      } else {
        body.push('  const u = m._unknownTaggedFields;', '  let nt = u === undefined ? 0 : u.length;');
        body.push('  s += sizeOfRawTags(u);');
        tagged.forEach((fl, i) => {
          const tag = fl.f.tag!;
          body.push(`  { const t = ${this.valueExpr(fl)};`);
          body.push(`    if (${this.nonDefault(fl, 't')}) { const z = ${this.sizeExpr(fl, 't')}; nt++; s += ${sizeOfUvarintConst(tag)} + sizeOfUvarint(z) + z; } }`);
        });
        body.push('  s += sizeOfUvarint(nt);');
      }
    }
    const decl = `function ${name}(m: Init<${layout.struct.tsName}>): number {`;
    const ret = body.length === 0 ? [`  return ${fixed};`] : [`  let s = ${fixed};`, ...body, '  return s;'];
    return [decl, ...ret, '}'].join('\n');
  }
}

function sizeOfUvarintConst(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
