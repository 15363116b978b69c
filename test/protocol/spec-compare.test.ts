/**
 * protocol-specs/ must say exactly what Kafka's own definitions say, field by field and
 * version by version. The reference folder sits beside the repo in ../shared; when it is
 * absent this suite is skipped and says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FieldSpec, MessageSpec, StructSpec, Versions } from '../../src/protocol/spec/ast.js';
import { loadKafkaJsonDir } from '../../src/protocol/spec/kafka-json.js';
import { formatKspec, parseKspec } from '../../src/protocol/spec/kspec.js';
import { allMessages, loadSpecDir } from '../../src/protocol/spec/load.js';
import { formatVersions, isEmpty } from '../../src/protocol/spec/versions.js';

const ROOT = resolve(__dirname, '../..');
const OURS = join(ROOT, 'protocol-specs');
const REFERENCE = resolve(ROOT, '../shared/kafka-message-specs');
const haveReference = existsSync(REFERENCE);

const v = (r: Versions) => (isEmpty(r) ? 'none' : formatVersions(r));

/** Every difference between two messages, as readable lines. */
export function diffMessages(ours: MessageSpec, theirs: MessageSpec): string[] {
  const out: string[] = [];
  const at = (path: string, what: string, a: unknown, b: unknown) => {
    if (a !== b) out.push(`${path}: ${what} is ${String(a)} here, ${String(b)} in Kafka`);
  };
  const name = ours.name;
  at(name, 'kind', ours.kind, theirs.kind);
  at(name, 'apiKey', ours.apiKey, theirs.apiKey);
  at(name, 'validVersions', v(ours.validVersions), v(theirs.validVersions));
  at(name, 'flexibleVersions', v(ours.flexibleVersions), v(theirs.flexibleVersions));
  at(name, 'deprecatedVersions', v(ours.deprecatedVersions), v(theirs.deprecatedVersions));
  at(name, 'latestVersionUnstable', ours.latestVersionUnstable, theirs.latestVersionUnstable);
  at(name, 'listeners', ours.listeners.join(','), theirs.listeners.join(','));
  const fields = (path: string, a: FieldSpec[], b: FieldSpec[]) => {
    at(path, 'field count', a.length, b.length);
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const x = a[i];
      const y = b[i];
      const p = `${path}.${y.name}`;
      at(p, 'name', x.name, y.name);
      at(p, 'type', x.type, y.type);
      at(p, 'versions', v(x.versions), v(y.versions));
      at(p, 'nullableVersions', v(x.nullableVersions), v(y.nullableVersions));
      at(p, 'taggedVersions', v(x.taggedVersions), v(y.taggedVersions));
      at(p, 'tag', x.tag, y.tag);
      at(p, 'flexibleVersions', x.flexibleVersions && v(x.flexibleVersions), y.flexibleVersions && v(y.flexibleVersions));
      at(p, 'default', x.default, y.default);
      at(p, 'ignorable', x.ignorable, y.ignorable);
      at(p, 'mapKey', x.mapKey, y.mapKey);
      at(p, 'has inline fields', !!x.fields, !!y.fields);
      if (x.fields && y.fields) fields(p, x.fields, y.fields);
    }
  };
  fields(name, ours.fields, theirs.fields);
  const structs = (a: StructSpec[], b: StructSpec[]) => {
    at(name, 'common struct count', a.length, b.length);
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      at(`${name}/${b[i].name}`, 'struct name', a[i].name, b[i].name);
      at(`${name}/${b[i].name}`, 'struct versions', v(a[i].versions), v(b[i].versions));
      fields(`${name}/${b[i].name}`, a[i].fields, b[i].fields);
    }
  };
  structs(ours.commonStructs, theirs.commonStructs);
  return out;
}

describe('protocol-specs', () => {
  const specs = loadSpecDir(OURS);

  it('every file parses and formats back to itself', () => {
    for (const s of specs) {
      const text = readFileSync(join(OURS, s.file), 'utf8');
      expect(formatKspec(parseKspec(text)), s.file).toBe(text);
    }
  });

  it('carries none of Kafka\'s prose', () => {
    for (const s of specs) {
      const text = readFileSync(join(OURS, s.file), 'utf8');
      expect(text, s.file).not.toMatch(/about|"fields"|\/\//);
    }
  });

  describe.skipIf(!haveReference)(`matches Kafka's definitions in ${REFERENCE}`, () => {
    it('has exactly the reference\'s messages', () => {
      const ours = allMessages(specs).map((m) => m.name).sort();
      const theirs = loadKafkaJsonDir(REFERENCE).map((m) => m.name).sort();
      expect(ours).toEqual(theirs);
    });

    it('agrees field by field and version by version', () => {
      const theirs = new Map(loadKafkaJsonDir(REFERENCE).map((m) => [m.name, m]));
      const diffs = allMessages(specs).flatMap((m) => (theirs.has(m.name) ? diffMessages(m, theirs.get(m.name)!) : []));
      expect(diffs).toEqual([]);
    });

    it('detects a difference when one is introduced', () => {
      const m = allMessages(specs).find((x) => x.name === 'FetchRequest')!;
      const theirs = loadKafkaJsonDir(REFERENCE).find((x) => x.name === 'FetchRequest')!;
      const changed = structuredClone(m);
      changed.fields[1].versions = { lo: 0, hi: 13 };
      expect(diffMessages(changed, theirs).length).toBeGreaterThan(0);
    });
  });

  it.runIf(!haveReference)('reference comparison skipped: ../shared/kafka-message-specs is absent', () => {
    // Says clearly in the report that the comparison did not run on this checkout.
    expect(haveReference).toBe(false);
  });
});
