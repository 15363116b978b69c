/**
 * Writes protocol-specs/*.kspec from a folder of Kafka's JSON definitions:
 *   node dist/protocol/spec/import-kafka.js ../shared/kafka-message-specs protocol-specs
 * Use it when Kafka adds versions; review the diff, then `npm run gen`.
 * Only facts are carried over: versions, types, tags, defaults, flags. No prose.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpecFile } from './ast.js';
import { loadKafkaJsonDir } from './kafka-json.js';
import { formatKspec } from './kspec.js';
import { specFileName } from './load.js';

export function groupIntoFiles(dir: string): SpecFile[] {
  const byKey = new Map<number, SpecFile>();
  const headers: SpecFile = { messages: [] };
  const data: SpecFile[] = [];
  for (const m of loadKafkaJsonDir(dir)) {
    if (m.kind === 'request' || m.kind === 'response') {
      const key = m.apiKey!;
      const apiName = m.name.replace(/(Request|Response)$/, '');
      const f = byKey.get(key) ?? { apiKey: key, apiName, messages: [] };
      f.messages.push(m);
      f.messages.sort((a, b) => (a.kind === 'request' ? -1 : b.kind === 'request' ? 1 : 0));
      byKey.set(key, f);
    } else if (m.kind === 'header') {
      headers.messages.push(m);
    } else {
      data.push({ messages: [m] });
    }
  }
  headers.messages.sort((a, b) => a.name.localeCompare(b.name));
  return [...[...byKey.values()].sort((a, b) => a.apiKey! - b.apiKey!), headers, ...data];
}

const isMain = process.argv[1]?.endsWith('import-kafka.js');
if (isMain) {
  const [src, dest] = process.argv.slice(2);
  if (!src || !dest) throw new Error('usage: import-kafka <kafka-json-dir> <protocol-specs-dir>');
  mkdirSync(dest, { recursive: true });
  for (const f of groupIntoFiles(src)) writeFileSync(join(dest, specFileName(f)), formatKspec(f));
}
