/**
 * <log.dirs>/meta.properties in Kafka's KRaft format (version=1, cluster.id, node.id), so the
 * directory is recognisable to Kafka's tools. Created on first start; checked on every later start.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';
import { formatProperties, parseProperties } from './properties.js';

export const META_PROPERTIES = 'meta.properties';

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
}

/** A Kafka-style cluster id: a random UUID's 16 bytes in base64url without padding (22 chars). */
export function generateClusterId(): string {
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40; // version 4, as Uuid.randomUuid
  b[8] = (b[8] & 0x3f) | 0x80;
  return b.toString('base64url');
}

export class MetaPropertiesError extends Error {
  override name = 'MetaPropertiesError';
}

/**
 * Reads meta.properties in `dir`, creating it (and the directory) when missing.
 * `clusterId` (from config) is used for a new directory and must match an existing one.
 */
export async function loadOrCreateMetaProperties(dir: string, nodeId: number, clusterId: string | null): Promise<MetaProperties> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, META_PROPERTIES);
  const text = await readFileIfExists(path);
  if (text === null) {
    const meta = { clusterId: clusterId ?? generateClusterId(), nodeId };
    const entries: Array<[string, string]> = [
      ['cluster.id', meta.clusterId],
      ['node.id', String(nodeId)],
      ['version', '1'],
    ];
    await writeFileAtomic(path, formatProperties(entries, `Written by Brook at ${new Date().toISOString()}`));
    return meta;
  }
  const props = new Map(parseProperties(text));
  const version = props.get('version');
  if (version !== '1' && version !== '0') throw new MetaPropertiesError(`${path}: unsupported version ${version}`);
  const existingCluster = props.get('cluster.id');
  const existingNode = Number(props.get('node.id') ?? props.get('broker.id'));
  if (!existingCluster) throw new MetaPropertiesError(`${path}: cluster.id is missing`);
  if (clusterId !== null && clusterId !== existingCluster) {
    throw new MetaPropertiesError(`${path}: cluster.id ${existingCluster} does not match configured cluster.id ${clusterId}`);
  }
  if (existingNode !== nodeId) {
    throw new MetaPropertiesError(`${path}: node.id ${existingNode} does not match configured node.id ${nodeId}`);
  }
  return { clusterId: existingCluster, nodeId };
}
