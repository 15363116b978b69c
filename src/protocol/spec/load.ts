import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageSpec, SpecFile } from './ast.js';
import { parseKspec } from './kspec.js';

export interface LoadedSpec extends SpecFile {
  file: string;
}

/** Reads every protocol-specs/*.kspec file, in name order. */
export function loadSpecDir(dir: string): LoadedSpec[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.kspec'))
    .sort()
    .map((n) => {
      try {
        return { file: n, ...parseKspec(readFileSync(join(dir, n), 'utf8')) };
      } catch (e) {
        throw new Error(`${n}: ${(e as Error).message}`);
      }
    });
}

export function allMessages(specs: SpecFile[]): MessageSpec[] {
  return specs.flatMap((s) => s.messages);
}

export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** The file name a spec lives in: 001-fetch.kspec, header.kspec, data-voters-record.kspec. */
export function specFileName(s: SpecFile): string {
  if (s.apiKey !== undefined) return `${String(s.apiKey).padStart(3, '0')}-${kebab(s.apiName!)}.kspec`;
  if (s.messages.every((m) => m.kind === 'header')) return 'header.kspec';
  return `data-${kebab(s.messages[0].name)}.kspec`;
}
