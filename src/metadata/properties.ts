/**
 * Java .properties files (server.properties, meta.properties): comments (# !), key=value, key:value
 * or key value, backslash line continuation and escapes (\t \n \r \f \uXXXX). Order is kept.
 */

export function parseProperties(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^[ \t\f]+/, '');
    if (line === '' || line[0] === '#' || line[0] === '!') continue;
    // Continuation: an odd number of trailing backslashes joins the next line (leading blanks dropped).
    while (endsWithOddBackslashes(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, '');
    }
    if (endsWithOddBackslashes(line)) line = line.slice(0, -1);
    let k = 0;
    while (k < line.length && !' \t\f=:'.includes(line[k])) k += line[k] === '\\' ? 2 : 1;
    const key = line.slice(0, k);
    let v = k;
    while (v < line.length && ' \t\f'.includes(line[v])) v++;
    if (v < line.length && (line[v] === '=' || line[v] === ':')) v++;
    while (v < line.length && ' \t\f'.includes(line[v])) v++;
    out.push([unescape(key), unescape(line.slice(v))]);
  }
  return out;
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

/** Writes key=value lines, escaping what the parser would otherwise misread. */
export function formatProperties(entries: Array<[string, string]>, header?: string): string {
  const esc = (s: string, isKey: boolean) =>
    s.replace(/[\\\n\r\t\f]|[=: #!]/g, (c) => {
      if (c === '\\') return '\\\\';
      if (c === '\n') return '\\n';
      if (c === '\r') return '\\r';
      if (c === '\t') return '\\t';
      if (c === '\f') return '\\f';
      return isKey ? '\\' + c : c;
    });
  const head = header ? `#${header}\n` : '';
  return head + entries.map(([k, v]) => `${esc(k, true)}=${esc(v, false)}`).join('\n') + '\n';
}
