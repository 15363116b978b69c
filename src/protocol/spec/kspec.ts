/**
 * Reader and writer for Brook's own protocol definition format (protocol-specs/*.kspec).
 *
 *   api 1 Fetch
 *   request 0-17 flex=12+ deprecated=0-3 listeners=broker,controller
 *     MaxWaitMs int32 0+
 *     Topics []FetchTopic 0+
 *       Topic string 0-12 ignorable
 *     ClusterId string 12+ nullable=12+ tagged=12+ tag=0 default=null ignorable
 *     struct SharedThing 0+          (a common struct, referenced by name)
 *       Field int32 0+
 *   response 0-17 flex=12+
 *   header RequestHeader 0-2 flex=2+  (standalone messages: header or data)
 *
 * Two spaces of indentation per level. `#` starts a comment line. A default that is
 * empty or holds spaces or quotes is written as a JSON string.
 */
import { NONE, type FieldSpec, type MessageKind, type MessageSpec, type SpecFile, type StructSpec } from './ast.js';
import { formatVersions, isEmpty, parseVersions } from './versions.js';

const TOKEN = /[^\s"]*"(?:[^"\\]|\\.)*"|\S+/g;

interface Line {
  no: number;
  depth: number;
  tokens: string[];
}

function lex(text: string): Line[] {
  const out: Line[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\s+$/, '');
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const indent = line.length - line.trimStart().length;
    if (indent % 2 !== 0) throw new Error(`line ${i + 1}: indentation must be a multiple of two spaces`);
    out.push({ no: i + 1, depth: indent / 2, tokens: line.trim().match(TOKEN) ?? [] });
  });
  return out;
}

function unquote(v: string): string {
  return v.startsWith('"') ? (JSON.parse(v) as string) : v;
}

function options(tokens: string[], line: number): Map<string, string> {
  const m = new Map<string, string>();
  for (const t of tokens) {
    const eq = t.indexOf('=');
    if (eq < 0) m.set(t, 'true');
    else m.set(t.slice(0, eq), unquote(t.slice(eq + 1)));
  }
  for (const k of m.keys()) {
    if (!KNOWN_OPTIONS.has(k)) throw new Error(`line ${line}: unknown option "${k}"`);
  }
  return m;
}

const KNOWN_OPTIONS = new Set([
  'flex', 'deprecated', 'listeners', 'unstable', 'nullable', 'tagged', 'tag', 'default', 'ignorable', 'mapKey',
]);

export function parseKspec(text: string): SpecFile {
  const lines = lex(text);
  const file: SpecFile = { messages: [] };
  let i = 0;

  function parseFields(depth: number): FieldSpec[] {
    const fields: FieldSpec[] = [];
    while (i < lines.length && lines[i].depth === depth && lines[i].tokens[0] !== 'struct') {
      const { tokens, no } = lines[i++];
      if (tokens.length < 3) throw new Error(`line ${no}: a field needs a name, a type and versions`);
      const [name, type, versions, ...rest] = tokens;
      const o = options(rest, no);
      const f: FieldSpec = {
        name,
        type,
        versions: parseVersions(versions),
        nullableVersions: o.has('nullable') ? parseVersions(o.get('nullable')!) : NONE,
        taggedVersions: o.has('tagged') ? parseVersions(o.get('tagged')!) : NONE,
        ignorable: o.has('ignorable'),
        mapKey: o.has('mapKey'),
      };
      if (o.has('tag')) f.tag = Number(o.get('tag'));
      if (o.has('flex')) f.flexibleVersions = parseVersions(o.get('flex')!);
      if (o.has('default')) f.default = o.get('default');
      if (i < lines.length && lines[i].depth > depth) {
        if (lines[i].depth !== depth + 1) throw new Error(`line ${lines[i].no}: indented too far`);
        f.fields = parseFields(depth + 1);
      }
      fields.push(f);
    }
    return fields;
  }

  function parseStructs(): StructSpec[] {
    const structs: StructSpec[] = [];
    while (i < lines.length && lines[i].depth === 1 && lines[i].tokens[0] === 'struct') {
      const { tokens, no } = lines[i++];
      if (tokens.length !== 3) throw new Error(`line ${no}: struct needs a name and versions`);
      structs.push({ name: tokens[1], versions: parseVersions(tokens[2]), fields: parseFields(2) });
    }
    return structs;
  }

  while (i < lines.length) {
    const { tokens, no, depth } = lines[i++];
    if (depth !== 0) throw new Error(`line ${no}: expected a section at column 0`);
    const word = tokens[0];
    if (word === 'api') {
      file.apiKey = Number(tokens[1]);
      file.apiName = tokens[2];
      continue;
    }
    let kind: MessageKind;
    let name: string;
    let rest: string[];
    if (word === 'request' || word === 'response') {
      if (file.apiName === undefined) throw new Error(`line ${no}: ${word} before the api line`);
      kind = word;
      name = file.apiName + (word === 'request' ? 'Request' : 'Response');
      rest = tokens.slice(1);
    } else if (word === 'header' || word === 'data') {
      kind = word;
      name = tokens[1];
      rest = tokens.slice(2);
    } else {
      throw new Error(`line ${no}: unknown section "${word}"`);
    }
    const o = options(rest.slice(1), no);
    const msg: MessageSpec = {
      kind,
      name,
      validVersions: parseVersions(rest[0]),
      flexibleVersions: o.has('flex') ? parseVersions(o.get('flex')!) : NONE,
      deprecatedVersions: o.has('deprecated') ? parseVersions(o.get('deprecated')!) : NONE,
      latestVersionUnstable: o.has('unstable'),
      listeners: o.has('listeners') ? o.get('listeners')!.split(',') : [],
      fields: [],
      commonStructs: [],
    };
    if (kind === 'request' || kind === 'response') msg.apiKey = file.apiKey;
    msg.fields = parseFields(1);
    msg.commonStructs = parseStructs();
    if (i < lines.length && lines[i].depth > 0) throw new Error(`line ${lines[i].no}: unexpected indentation`);
    file.messages.push(msg);
  }
  return file;
}

function quoteIfNeeded(v: string): string {
  return v === '' || /[\s"]/.test(v) ? JSON.stringify(v) : v;
}

function writeFields(fields: FieldSpec[], depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  for (const f of fields) {
    const parts = [f.name, f.type, formatVersions(f.versions)];
    if (!isEmpty(f.nullableVersions)) parts.push(`nullable=${formatVersions(f.nullableVersions)}`);
    if (!isEmpty(f.taggedVersions)) parts.push(`tagged=${formatVersions(f.taggedVersions)}`);
    if (f.tag !== undefined) parts.push(`tag=${f.tag}`);
    if (f.flexibleVersions) parts.push(`flex=${formatVersions(f.flexibleVersions)}`);
    if (f.default !== undefined) parts.push(`default=${quoteIfNeeded(f.default)}`);
    if (f.ignorable) parts.push('ignorable');
    if (f.mapKey) parts.push('mapKey');
    out.push(pad + parts.join(' '));
    if (f.fields) writeFields(f.fields, depth + 1, out);
  }
}

export function formatKspec(file: SpecFile): string {
  const out: string[] = [];
  if (file.apiKey !== undefined) out.push(`api ${file.apiKey} ${file.apiName}`);
  for (const m of file.messages) {
    const head: string[] =
      m.kind === 'request' || m.kind === 'response' ? [m.kind] : [m.kind, m.name];
    head.push(formatVersions(m.validVersions));
    if (!isEmpty(m.flexibleVersions)) head.push(`flex=${formatVersions(m.flexibleVersions)}`);
    if (!isEmpty(m.deprecatedVersions)) head.push(`deprecated=${formatVersions(m.deprecatedVersions)}`);
    if (m.listeners.length) head.push(`listeners=${m.listeners.join(',')}`);
    if (m.latestVersionUnstable) head.push('unstable');
    out.push(head.join(' '));
    writeFields(m.fields, 1, out);
    for (const s of m.commonStructs) {
      out.push(`  struct ${s.name} ${formatVersions(s.versions)}`);
      writeFields(s.fields, 2, out);
    }
  }
  return out.join('\n') + '\n';
}
