import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { loadBrokerConfig } from '../../src/metadata/broker-config.js';
import { generateClusterId, loadOrCreateMetaProperties } from '../../src/metadata/meta-properties.js';
import { invalidTopicReason, topicsCollide } from '../../src/metadata/topic-names.js';
import { toLogConfig, validateTopicConfigs } from '../../src/metadata/topic-config.js';
import { TOPICS_FILE, TopicRegistry } from '../../src/metadata/topic-registry.js';
import { TopicManager } from '../../src/metadata/topics.js';
import { silentLogger } from '../../src/logger.js';
import type { LogConfig, PartitionLog, StorageEngine } from '../../src/storage/engine.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'brook-meta-'));

/** Just enough of a storage engine to see which partitions the manager creates. */
function fakeStorage(): StorageEngine & { configs: Map<string, LogConfig> } {
  const logs = new Map<string, PartitionLog>();
  const configs = new Map<string, LogConfig>();
  return {
    configs,
    open: async () => {},
    close: async () => {},
    partitions: () => [...logs.values()],
    getPartition: (t, p) => logs.get(`${t}-${p}`),
    createPartition: async (topic, partition, config) => {
      const log = { topic, partition, updateConfig: (c: LogConfig) => configs.set(`${topic}-${partition}`, c) } as unknown as PartitionLog;
      logs.set(`${topic}-${partition}`, log);
      configs.set(`${topic}-${partition}`, config);
      return log;
    },
    deletePartition: async (t, p) => {
      logs.delete(`${t}-${p}`);
    },
  };
}

describe('topic names (Kafka Topic.validate)', () => {
  const table: Array<[string, boolean]> = [
    ['orders', true],
    ['a.b_c-D9', true],
    ['...', true], // only "." and ".." are rejected
    ['a'.repeat(249), true],
    ['a'.repeat(250), false],
    ['', false],
    ['.', false],
    ['..', false],
    ['has space', false],
    ['slash/name', false],
    ['ünicode', false],
    ['colon:x', false],
    ['star*', false],
  ];
  it.each(table)('%s → valid=%s', (name, valid) => {
    expect(invalidTopicReason(name) === null).toBe(valid);
  });
  it('detects . versus _ collisions', () => {
    expect(topicsCollide('a.b', 'a_b')).toBe(true);
    expect(topicsCollide('a.b', 'a-b')).toBe(false);
  });
});

describe('meta.properties', () => {
  it('creates a Kafka-style file and checks it on restart', async () => {
    const dir = tmp();
    const m = await loadOrCreateMetaProperties(dir, 3, null);
    expect(m.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const text = readFileSync(join(dir, 'meta.properties'), 'utf8');
    expect(text).toMatch(/^version=1$/m);
    expect(text).toMatch(new RegExp(`^cluster.id=${m.clusterId.replace(/[-]/g, '\\-')}$`, 'm'));
    expect(text).toMatch(/^node.id=3$/m);
    expect(await loadOrCreateMetaProperties(dir, 3, null)).toEqual(m);
    await expect(loadOrCreateMetaProperties(dir, 4, null)).rejects.toThrow(/node.id/);
    await expect(loadOrCreateMetaProperties(dir, 3, 'otherCluster')).rejects.toThrow(/cluster.id/);
    expect(generateClusterId()).not.toBe(generateClusterId());
  });
});

describe('topic configs', () => {
  const broker = loadBrokerConfig({ env: {}, overrides: { 'log.retention.hours': '1', 'log.segment.bytes': '5000' } });
  it('validates with INVALID_CONFIG', () => {
    expect(validateTopicConfigs([['retention.ms', '1000'], ['cleanup.policy', 'compact,delete']]).ok).toBe(true);
    for (const [k, v] of [['retention.ms', 'abc'], ['segment.bytes', '1'], ['cleanup.policy', 'nope'], ['compression.type', 'brotli'], ['message.timestamp.type', 'x'], ['min.insync.replicas', '0'], ['max.message.bytes', '-1'], ['bogus.config', '1']]) {
      const r = validateTopicConfigs([[k, v]]);
      expect(r.ok, `${k}=${v}`).toBe(false);
      if (!r.ok) expect(r.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    }
  });
  it('maps overrides + broker defaults to LogConfig', () => {
    expect(toLogConfig({}, broker)).toMatchObject({ retentionMs: 3600_000, segmentBytes: 5000, messageTimestampType: 'CreateTime' });
    expect(toLogConfig({ 'retention.ms': '-1', 'segment.bytes': '2048', 'message.timestamp.type': 'LogAppendTime', 'flush.messages': '1' }, broker)).toMatchObject({
      retentionMs: -1, segmentBytes: 2048, messageTimestampType: 'LogAppendTime', flushIntervalMessages: 1,
    });
  });
});

describe('topic registry and manager', () => {
  const config = loadBrokerConfig({ env: {}, overrides: { 'num.partitions': '2' } });

  it('creates, rejects, deletes and keeps IDs and epochs across restart', async () => {
    const dir = tmp();
    const storage = fakeStorage();
    const mgr = new TopicManager(await TopicRegistry.load(dir), storage, config, silentLogger);
    const a = await mgr.createTopic({ name: 'a.b', numPartitions: 3, configs: [['retention.ms', '1000']] });
    expect(a.errorCode).toBe(0);
    if (!('topic' in a)) throw new Error(`createTopic failed: ${a.errorCode}`);
    expect(a.topic.topicId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.topic.topicId).not.toBe('0'.repeat(32));
    expect(a.topic.leaderEpochs).toEqual([0, 0, 0]);
    expect(storage.partitions()).toHaveLength(3);
    expect(storage.configs.get('a.b-0')!.retentionMs).toBe(1000);

    expect((await mgr.createTopic({ name: 'a.b' })).errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect((await mgr.createTopic({ name: 'a_b' })).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect((await mgr.createTopic({ name: 'x'.repeat(250) })).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect((await mgr.createTopic({ name: 'p', numPartitions: 0 })).errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    expect((await mgr.createTopic({ name: 'p', replicationFactor: 3 })).errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect((await mgr.createTopic({ name: 'p', configs: [['segment.bytes', 'x']] })).errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect((await mgr.createTopic({ name: 'p', validateOnly: true } as never, { validateOnly: true })).errorCode).toBe(0);
    expect(mgr.get('p')).toBeUndefined();
    const d = await mgr.createTopic({ name: 'dflt' });
    expect('topic' in d && d.topic.leaderEpochs.length).toBe(2);
    expect((await mgr.createPartitions('dflt', 4)).errorCode).toBe(0);
    expect((await mgr.createPartitions('dflt', 3)).errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    expect((await mgr.deleteTopic('dflt')).errorCode).toBe(0);
    expect((await mgr.deleteTopic('dflt')).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(storage.partitions().map((l) => l.topic)).toEqual(['a.b', 'a.b', 'a.b']);

    const reloaded = await TopicRegistry.load(dir);
    expect(reloaded.list().map((t) => t.name)).toEqual(['a.b']);
    expect(reloaded.get('a.b')!.topicId).toBe(a.topic.topicId);
    expect(reloaded.getById(a.topic.topicId)!.leaderEpochs).toEqual([0, 0, 0]);
    expect(reloaded.get('a.b')!.configs).toEqual({ 'retention.ms': '1000' });

    // Re-creating a deleted name gets a fresh id.
    const again = await mgr.createTopic({ name: 'dflt' });
    expect('topic' in again && again.topic.topicId).not.toBe('topic' in d && d.topic.topicId);
  });

  it('replaces the file atomically and ignores leftover temp files', async () => {
    const dir = tmp();
    const reg = await TopicRegistry.load(dir);
    await reg.create('t1', 1, {}).persisted;
    const before = readFileSync(join(dir, TOPICS_FILE), 'utf8');
    // A crash mid-write leaves a torn temp file; the real file is untouched and the temp is removed.
    writeFileSync(join(dir, `.${TOPICS_FILE}.123.456.tmp`), '{"version":1,"topi');
    const r2 = await TopicRegistry.load(dir);
    expect(r2.list().map((t) => t.name)).toEqual(['t1']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Many concurrent changes coalesce; the final file is complete, valid JSON with all of them.
    const ps = [];
    for (let i = 0; i < 20; i++) ps.push(r2.create(`c${i}`, 1, {}).persisted);
    await Promise.all(ps);
    const after = JSON.parse(readFileSync(join(dir, TOPICS_FILE), 'utf8'));
    expect(after.topics).toHaveLength(21);
    expect(before).not.toBe(readFileSync(join(dir, TOPICS_FILE), 'utf8'));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reconciles storage with the registry on open', async () => {
    const dir = tmp();
    const storage = fakeStorage();
    const reg = await TopicRegistry.load(dir);
    await reg.create('kept', 2, {}).persisted;
    await storage.createPartition('gone', 0, toLogConfig({}, config));
    const mgr = new TopicManager(await TopicRegistry.load(dir), storage, config, silentLogger);
    await mgr.open();
    expect(storage.partitions().map((l) => `${l.topic}-${l.partition}`).sort()).toEqual(['kept-0', 'kept-1']);
  });
});
