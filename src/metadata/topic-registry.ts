/**
 * The topic registry: every topic's name, topic ID, partition count, per-partition leader epochs and
 * config overrides, persisted to <log.dirs>/__brook_topics.json (written atomically: temp file, fsync,
 * rename, fsync dir). Changes apply to memory synchronously (so concurrent requests see them at
 * once, in call order) and the returned promise settles when the new state is on disk.
 */
import { randomBytes } from 'node:crypto';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';
import type { TopicConfigOverrides } from './topic-config.js';

export const TOPICS_FILE = '__brook_topics.json';
const FORMAT_VERSION = 1;

export interface TopicInfo {
  readonly name: string;
  /** Kafka Uuid as 32 lowercase hex digits; never all zeros; stable for the topic's life. */
  readonly topicId: string;
  /** leaderEpochs[p] is partition p's leader epoch; the array length is the partition count. */
  readonly leaderEpochs: readonly number[];
  readonly configs: Readonly<TopicConfigOverrides>;
  readonly internal: boolean;
  readonly createdAtMs: number;
}

interface TopicsFile {
  version: number;
  topics: TopicInfo[];
}

export const ZERO_TOPIC_ID = '0'.repeat(32);

/** A random Kafka-style Uuid: not zero, not the reserved metadata id 1, base64 form not starting with '-'. */
export function generateTopicId(): string {
  for (;;) {
    const b = randomBytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = b.toString('hex');
    if (hex !== ZERO_TOPIC_ID && hex !== '0'.repeat(31) + '1' && b.toString('base64url')[0] !== '-') return hex;
  }
}

export class TopicRegistry {
  private readonly byName = new Map<string, TopicInfo>();
  private readonly byId = new Map<string, TopicInfo>();
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  /** Whether a registry file existed when loaded (false on a fresh or memory-only directory). */
  existed = false;

  private constructor(private readonly path: string | null) {}

  /** Loads the registry from `dir` (null: memory only, nothing persisted). */
  static async load(dir: string | null): Promise<TopicRegistry> {
    const reg = new TopicRegistry(dir === null ? null : join(dir, TOPICS_FILE));
    if (dir === null) return reg;
    // Temp files left by a crash mid-write are garbage: the rename never happened.
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      if (f.startsWith(`.${TOPICS_FILE}.`) && f.endsWith('.tmp')) await unlink(join(dir, f)).catch(() => {});
    }
    const text = await readFileIfExists(reg.path!);
    if (text === null) return reg;
    reg.existed = true;
    let data: TopicsFile;
    try {
      data = JSON.parse(text) as TopicsFile;
    } catch (e) {
      throw new Error(`${reg.path} is corrupt: ${(e as Error).message}`);
    }
    if (data.version !== FORMAT_VERSION || !Array.isArray(data.topics)) {
      throw new Error(`${reg.path}: unsupported format version ${data.version}`);
    }
    for (const t of data.topics) reg.put(t);
    return reg;
  }

  get(name: string): TopicInfo | undefined {
    return this.byName.get(name);
  }
  getById(topicId: string): TopicInfo | undefined {
    return this.byId.get(topicId);
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  list(): TopicInfo[] {
    return [...this.byName.values()];
  }
  /** Existing topics whose name differs from `name` only by '.' versus '_'. */
  collisions(name: string): string[] {
    const key = name.replaceAll('.', '_');
    return this.list()
      .map((t) => t.name)
      .filter((n) => n !== name && n.replaceAll('.', '_') === key);
  }
  leaderEpoch(name: string, partition: number): number | undefined {
    return this.byName.get(name)?.leaderEpochs[partition];
  }

  /** Adds a topic (the caller validated name, count and configs). */
  create(name: string, partitions: number, configs: TopicConfigOverrides, internal = false, now = Date.now()): { topic: TopicInfo; persisted: Promise<void> } {
    if (this.byName.has(name)) throw new Error(`topic ${name} already exists`);
    let topicId = generateTopicId();
    while (this.byId.has(topicId)) topicId = generateTopicId();
    const topic: TopicInfo = { name, topicId, leaderEpochs: new Array<number>(partitions).fill(0), configs: { ...configs }, internal, createdAtMs: now };
    this.put(topic);
    return { topic, persisted: this.persist() };
  }

  /** Removes a topic; returns it (undefined when unknown). */
  delete(name: string): { topic: TopicInfo | undefined; persisted: Promise<void> } {
    const topic = this.byName.get(name);
    if (!topic) return { topic, persisted: Promise.resolve() };
    this.byName.delete(name);
    this.byId.delete(topic.topicId);
    return { topic, persisted: this.persist() };
  }

  /** Grows the topic to `total` partitions; new partitions start at leader epoch 0. */
  addPartitions(name: string, total: number): { topic: TopicInfo; persisted: Promise<void> } {
    const old = this.mustGet(name);
    if (total <= old.leaderEpochs.length) throw new Error(`topic ${name} already has ${old.leaderEpochs.length} partitions`);
    const leaderEpochs = [...old.leaderEpochs, ...new Array<number>(total - old.leaderEpochs.length).fill(0)];
    return this.replace({ ...old, leaderEpochs });
  }

  /** Replaces the topic's config overrides (validated by the caller). */
  setConfigs(name: string, configs: TopicConfigOverrides): { topic: TopicInfo; persisted: Promise<void> } {
    return this.replace({ ...this.mustGet(name), configs: { ...configs } });
  }

  /** Waits until every change made so far is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }

  private mustGet(name: string): TopicInfo {
    const t = this.byName.get(name);
    if (!t) throw new Error(`unknown topic ${name}`);
    return t;
  }

  private replace(topic: TopicInfo): { topic: TopicInfo; persisted: Promise<void> } {
    this.put(topic);
    return { topic, persisted: this.persist() };
  }

  private put(t: TopicInfo): void {
    this.byName.set(t.name, t);
    this.byId.set(t.topicId, t);
  }

  /** Queues a write of the current state; writes coalesce when several changes arrive during one write. */
  private persist(): Promise<void> {
    if (this.path === null) return Promise.resolve();
    this.dirty = true;
    const path = this.path;
    const write = async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const data: TopicsFile = { version: FORMAT_VERSION, topics: this.list() };
      try {
        await writeFileAtomic(path, JSON.stringify(data, null, 1) + '\n');
      } catch (e) {
        this.dirty = true; // the next change (or flush) retries
        throw e;
      }
    };
    this.writing = this.writing.catch(() => {}).then(write);
    return this.writing;
  }
}
