/**
 * The handler registry: the only list of APIs. Each entry pairs a handler with its codec; dispatch,
 * version checks and the ApiVersions answer all read from here. An API is advertised at exactly the
 * versions its handler serves, capped at what the codec can encode (never an unstable version).
 *
 * registerAll() finds every handler file in this directory (`NN-name.ts`, NN = API key), imports it
 * once and registers it, so adding an API means adding one file.
 */
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { API_CODECS } from '../protocol/generated/index.js';
import type { Reader, Writer } from '../protocol/primitives/index.js';
import type { Handler } from './types.js';

/** What the registry needs from a generated ApiCodec (structurally compatible with it). */
export interface CodecLike {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  latestVersionUnstable?: boolean;
  requestHeaderVersion(v: number): number;
  responseHeaderVersion(v: number): number;
  decodeRequest(r: Reader, v: number): unknown;
  encodeResponse(w: Writer, v: number, m: any): void;
}

export interface ApiEntry {
  readonly apiKey: number;
  readonly name: string;
  /** Advertised and accepted range. */
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly handler: Handler;
  readonly codec: CodecLike;
}

export const API_VERSIONS_KEY = 18;

export class HandlerRegistry {
  private readonly entries = new Map<number, ApiEntry>();

  register(handler: Handler, codec: CodecLike): ApiEntry {
    if (handler.apiKey !== codec.apiKey) throw new Error(`handler for API ${handler.apiKey} given the codec of API ${codec.apiKey}`);
    if (this.entries.has(handler.apiKey)) throw new Error(`API ${handler.apiKey} (${codec.name}) registered twice`);
    const codecMax = codec.latestVersionUnstable ? codec.maxVersion - 1 : codec.maxVersion;
    const minVersion = Math.max(handler.minVersion, codec.minVersion);
    const maxVersion = Math.min(handler.maxVersion, codecMax);
    if (minVersion > maxVersion) {
      throw new Error(`API ${codec.name}: handler versions ${handler.minVersion}-${handler.maxVersion} outside the codec's ${codec.minVersion}-${codecMax}`);
    }
    const entry: ApiEntry = { apiKey: handler.apiKey, name: codec.name, minVersion, maxVersion, handler, codec };
    this.entries.set(handler.apiKey, entry);
    return entry;
  }

  get(apiKey: number): ApiEntry | undefined {
    return this.entries.get(apiKey);
  }

  /** Every registered API, by API key. */
  list(): ApiEntry[] {
    return [...this.entries.values()].sort((a, b) => a.apiKey - b.apiKey);
  }

  /** The ranges ApiVersions advertises. */
  versions(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
    return this.list().map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }));
  }
}

const HANDLER_FILE = /^(\d{1,3})-[a-z0-9-]+\.(js|ts)$/;

function asHandler(mod: Record<string, unknown>, file: string): Handler {
  const h = (typeof mod.handle === 'function' ? mod : mod.default) as Handler | undefined;
  if (!h || typeof h.handle !== 'function' || typeof h.apiKey !== 'number' || typeof h.minVersion !== 'number' || typeof h.maxVersion !== 'number') {
    throw new Error(`${file} does not export { apiKey, minVersion, maxVersion, handle }`);
  }
  return { apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion, handle: h.handle.bind(h) };
}

/**
 * Imports every handler file in src/handlers once and registers it with its codec.
 * `codecs` defaults to the generated codecs.
 */
export async function registerAll(registry = new HandlerRegistry(), codecs?: ReadonlyMap<number, CodecLike>): Promise<HandlerRegistry> {
  const table = codecs ?? API_CODECS;
  const dir = dirname(fileURLToPath(import.meta.url));
  const files = (await readdir(dir)).filter((f) => HANDLER_FILE.test(f)).sort();
  const seen = new Set<string>();
  for (const file of files) {
    const stem = file.replace(/\.(js|ts)$/, '');
    if (seen.has(stem)) continue; // both .ts and .js present: import one
    seen.add(stem);
    const handler = asHandler((await import(pathToFileURL(`${dir}/${file}`).href)) as Record<string, unknown>, file);
    if (Number(HANDLER_FILE.exec(file)![1]) !== handler.apiKey) throw new Error(`${file} exports apiKey ${handler.apiKey}`);
    const codec = table.get(handler.apiKey);
    if (!codec) throw new Error(`${file}: no codec for API key ${handler.apiKey}`);
    registry.register(handler, codec);
  }
  return registry;
}
