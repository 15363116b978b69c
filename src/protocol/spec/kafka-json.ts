/**
 * Loads Kafka's JSON message definitions (the reference in ../shared/kafka-message-specs)
 * into the same model as our .kspec files. Used to import new versions and by the test
 * that checks protocol-specs against the reference; nothing at run time depends on it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NONE, type FieldSpec, type MessageSpec } from './ast.js';
import { parseVersions } from './versions.js';

interface JsonField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number | string;
  flexibleVersions?: string;
  default?: string | number | boolean;
  ignorable?: boolean;
  mapKey?: boolean;
  fields?: JsonField[];
}

interface JsonMessage {
  apiKey?: number;
  type: string;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  deprecatedVersions?: string;
  latestVersionUnstable?: boolean;
  listeners?: string[];
  fields: JsonField[];
  commonStructs?: { name: string; versions: string; fields: JsonField[] }[];
}

/** Kafka's files carry // comments; strip whole-line and trailing ones outside strings. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

function field(j: JsonField): FieldSpec {
  const f: FieldSpec = {
    name: j.name,
    type: j.type,
    versions: parseVersions(j.versions),
    nullableVersions: j.nullableVersions ? parseVersions(j.nullableVersions) : NONE,
    taggedVersions: j.taggedVersions ? parseVersions(j.taggedVersions) : NONE,
    ignorable: j.ignorable === true,
    mapKey: j.mapKey === true,
  };
  if (j.tag !== undefined) f.tag = Number(j.tag);
  if (j.flexibleVersions !== undefined) f.flexibleVersions = parseVersions(j.flexibleVersions);
  if (j.default !== undefined) f.default = String(j.default);
  if (j.fields) f.fields = j.fields.map(field);
  return f;
}

export function messageFromKafkaJson(text: string): MessageSpec {
  const j = JSON.parse(stripJsonComments(text)) as JsonMessage;
  const kind = j.type as MessageSpec['kind'];
  if (!['request', 'response', 'header', 'data'].includes(kind)) throw new Error(`unknown message type ${j.type}`);
  return {
    kind,
    name: j.name,
    apiKey: j.apiKey,
    validVersions: parseVersions(j.validVersions),
    flexibleVersions: parseVersions(j.flexibleVersions),
    deprecatedVersions: j.deprecatedVersions ? parseVersions(j.deprecatedVersions) : NONE,
    latestVersionUnstable: j.latestVersionUnstable === true,
    listeners: j.listeners ?? [],
    fields: j.fields.map(field),
    commonStructs: (j.commonStructs ?? []).map((s) => ({
      name: s.name,
      versions: parseVersions(s.versions),
      fields: s.fields.map(field),
    })),
  };
}

export function loadKafkaJsonDir(dir: string): MessageSpec[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => messageFromKafkaJson(readFileSync(join(dir, n), 'utf8')));
}
