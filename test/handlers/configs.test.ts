/**
 * DescribeConfigs / AlterConfigs / IncrementalAlterConfigs over real sockets, with the answers Apache
 * Kafka 4.3.1 gave to the same requests (values, sources, synonyms, codes and messages).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { AlterConfigs, DescribeConfigs, IncrementalAlterConfigs } from '../../src/protocol/generated/index.js';
import { RawClient } from './admin-misc-client.js';

const TOPIC = 2, BROKER = 4, LOGGER = 8;
const SET = 0, DELETE = 1, APPEND = 2, SUBTRACT = 3;
const KAFKA_TOPIC_CONFIGS = [
  'cleanup.policy', 'compression.gzip.level', 'compression.lz4.level', 'compression.type', 'compression.zstd.level', 'delete.retention.ms',
  'file.delete.delay.ms', 'flush.messages', 'flush.ms', 'follower.replication.throttled.replicas', 'index.interval.bytes',
  'leader.replication.throttled.replicas', 'local.retention.bytes', 'local.retention.ms', 'max.compaction.lag.ms', 'max.message.bytes',
  'message.timestamp.after.max.ms', 'message.timestamp.before.max.ms', 'message.timestamp.type', 'min.cleanable.dirty.ratio',
  'min.compaction.lag.ms', 'min.insync.replicas', 'preallocate', 'remote.log.copy.disable', 'remote.log.delete.on.disable',
  'remote.storage.enable', 'retention.bytes', 'retention.ms', 'segment.bytes', 'segment.index.bytes', 'segment.jitter.ms', 'segment.ms',
  'unclean.leader.election.enable',
];

describe('configs', () => {
  let dir: string;
  let broker: RunningBroker;
  let c: RawClient;
  const start = async () => {
    broker = await startBroker({ port: 0, config: { 'log.dirs': dir, 'node.id': 1 } });
    c = await RawClient.connect(broker.host, broker.port);
  };
  const describeTopic = async (name: string, keys: string[] | null = null, version = 4) =>
    (await c.send(DescribeConfigs, version, { resources: [{ resourceType: TOPIC, resourceName: name, configurationKeys: keys }], includeSynonyms: true })).results[0];
  const byName = (configs: Array<{ name: string }>) => Object.fromEntries(configs.map((x) => [x.name, x])) as Record<string, any>;
  const iac = async (resourceType: number, resourceName: string, configs: Array<{ name: string; configOperation: number; value: string | null }>, validateOnly = false) =>
    (await c.send(IncrementalAlterConfigs, 1, { resources: [{ resourceType, resourceName, configs }], validateOnly })).responses[0];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'brook-configs-'));
    await start();
    await broker.services.topics.createTopic({ name: 't1' });
  });
  afterAll(async () => {
    c.close();
    await broker.close();
  });

  it('DescribeConfigs v4: every Kafka 4.x topic config with value, source, synonyms and type', async () => {
    const r = await c.send(DescribeConfigs, 4, { resources: [{ resourceType: TOPIC, resourceName: 't1', configurationKeys: null }], includeSynonyms: true, includeDocumentation: true });
    const res = r.results[0];
    expect(res).toMatchObject({ errorCode: 0, errorMessage: '', resourceType: TOPIC, resourceName: 't1' });
    expect(res.configs.map((x) => x.name)).toEqual(KAFKA_TOPIC_CONFIGS);
    const cfg = byName(res.configs);
    expect(cfg['retention.ms']).toMatchObject({ value: '604800000', configSource: 5, readOnly: false, isSensitive: false, configType: 5, synonyms: [] });
    expect(cfg['cleanup.policy']).toMatchObject({ value: 'delete', configSource: 5, configType: 7, synonyms: [{ name: 'log.cleanup.policy', value: 'delete', source: 5 }] });
    expect(cfg['segment.bytes']).toMatchObject({ value: '1073741824', configType: 3, synonyms: [{ name: 'log.segment.bytes', value: '1073741824', source: 5 }] });
    expect(cfg['flush.messages'].value).toBe('9223372036854775807');
    expect(cfg['segment.jitter.ms']).toMatchObject({ value: '0', synonyms: [] });
    expect(cfg['min.cleanable.dirty.ratio']).toMatchObject({ value: '0.5', configType: 6 });
    expect(cfg['local.retention.ms'].synonyms).toEqual([{ name: 'log.local.retention.ms', value: '-2', source: 5 }]);
    expect(cfg['compression.gzip.level'].synonyms).toEqual([{ name: 'compression.gzip.level', value: '-1', source: 5 }]);
  });

  it('DescribeConfigs: key filter, v0 is_default, v1 without synonyms, error results', async () => {
    const v0 = await describeTopic('t1', ['retention.ms', 'nonexistent'], 0);
    expect(v0.configs).toEqual([expect.objectContaining({ name: 'retention.ms', value: '604800000', isDefault: true })]);
    const v1 = (await c.send(DescribeConfigs, 1, { resources: [{ resourceType: TOPIC, resourceName: 't1', configurationKeys: ['cleanup.policy'] }], includeSynonyms: false })).results[0];
    expect(v1.configs[0]).toMatchObject({ name: 'cleanup.policy', configSource: 5, synonyms: [] });
    expect(await describeTopic('nope')).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: '', configs: [] });
    expect(await describeTopic('bad/name')).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: "Topic name is invalid: 'bad/name' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'" });
    const res = (type: number, name: string) => c.send(DescribeConfigs, 4, { resources: [{ resourceType: type, resourceName: name, configurationKeys: null }] }).then((r) => r.results[0]);
    expect(await res(BROKER, '99')).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unexpected broker id, expected 1 or empty string, but received 99' });
    expect(await res(BROKER, 'abc')).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Broker id must be an integer, but it is: abc' });
    expect(await res(LOGGER, '')).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Broker id must not be empty' });
    expect((await res(LOGGER, '1')).configs).toEqual([expect.objectContaining({ name: 'root', configSource: 6 })]);
    // One unknown resource type fails the whole request, as Kafka does.
    const bad = await c.send(DescribeConfigs, 4, { resources: [{ resourceType: TOPIC, resourceName: 't1', configurationKeys: null }, { resourceType: 3, resourceName: 'x', configurationKeys: null }] });
    expect(bad.results.map((x) => x.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
  });

  it('DescribeConfigs broker: this node (read-only flags, static sources) and the cluster default', async () => {
    const r = (await c.send(DescribeConfigs, 4, { resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: ['log.retention.ms', 'log.retention.hours', 'node.id', 'log.dirs', 'message.max.bytes'] }], includeSynonyms: true })).results[0];
    const cfg = byName(r.configs);
    expect(cfg['log.retention.ms']).toMatchObject({ value: null, readOnly: false, configSource: 5, synonyms: [] });
    expect(cfg['log.retention.hours']).toMatchObject({ value: '168', readOnly: true, synonyms: [{ name: 'log.retention.hours', value: '168', source: 5 }] });
    expect(cfg['node.id']).toMatchObject({ value: '1', readOnly: true, configSource: 4 });
    expect(cfg['log.dirs']).toMatchObject({ value: dir, readOnly: true, configSource: 4, configType: 7 });
    expect(cfg['message.max.bytes']).toMatchObject({ value: '1048588', readOnly: false, configSource: 5 });
    const d = (await c.send(DescribeConfigs, 4, { resources: [{ resourceType: BROKER, resourceName: '', configurationKeys: null }] })).results[0];
    expect(d).toMatchObject({ errorCode: 0, configs: [] });
  });

  it('IncrementalAlterConfigs: APPEND and SUBTRACT on cleanup.policy, DELETE back to the default', async () => {
    expect(await iac(TOPIC, 't1', [{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }])).toMatchObject({ errorCode: 0, errorMessage: null });
    expect((await describeTopic('t1', ['cleanup.policy'])).configs[0]).toMatchObject({
      value: 'delete,compact', configSource: 1,
      synonyms: [{ name: 'cleanup.policy', value: 'delete,compact', source: 1 }, { name: 'log.cleanup.policy', value: 'delete', source: 5 }],
    });
    expect(broker.services.topics.get('t1')!.configs['cleanup.policy']).toBe('delete,compact');
    await iac(TOPIC, 't1', [{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }]);
    expect((await describeTopic('t1', ['cleanup.policy'])).configs[0].value).toBe('compact');
    await iac(TOPIC, 't1', [{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'compact' }]);
    expect((await describeTopic('t1', ['cleanup.policy'])).configs[0]).toMatchObject({ value: '', configSource: 1 });
    await iac(TOPIC, 't1', [{ name: 'cleanup.policy', configOperation: DELETE, value: null }]);
    expect((await describeTopic('t1', ['cleanup.policy'])).configs[0]).toMatchObject({ value: 'delete', configSource: 5 });
  });

  it('IncrementalAlterConfigs: Kafka errors for bad ops, names, values and resources', async () => {
    const one = (name: string, configOperation: number, value: string | null) => iac(TOPIC, 't1', [{ name, configOperation, value }]);
    expect(await one('retention.ms', APPEND, '1000')).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: "Can't APPEND to key retention.ms because its type is not LIST." });
    expect(await one('foo.bar', SET, '1')).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown topic config name: foo.bar' });
    expect(await one('message.downconversion.enable', SET, 'true')).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown topic config name: message.downconversion.enable' });
    expect(await one('retention.ms', SET, 'abc')).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Invalid value abc for configuration retention.ms: Not a number of type LONG' });
    expect(await one('retention.ms', SET, '-5')).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Invalid value -5 for configuration retention.ms: Value must be at least -1' });
    expect(await one('cleanup.policy', SET, 'foo')).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete' });
    expect(await one('preallocate', SET, 'yes')).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Invalid value yes for configuration preallocate: Expected value to be either true or false' });
    expect(await one('foo.bar', DELETE, null)).toMatchObject({ errorCode: 0 });
    expect(await one('retention.ms', 9, '1')).toMatchObject({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null });
    expect(await one('retention.ms', SET, null)).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Null value not supported for : retention.ms' });
    expect(await iac(TOPIC, 't1', [{ name: 'min.compaction.lag.ms', configOperation: SET, value: '1000' }, { name: 'max.compaction.lag.ms', configOperation: SET, value: '10' }])).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'conflict topic config setting min.compaction.lag.ms (1000) > max.compaction.lag.ms (10)',
    });
    expect(await iac(TOPIC, 't1', [{ name: 'retention.ms', configOperation: SET, value: '1' }, { name: 'retention.ms', configOperation: SET, value: '2' }])).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Error due to duplicate config keys',
    });
    const multi = await c.send(IncrementalAlterConfigs, 1, {
      validateOnly: true,
      resources: [
        { resourceType: TOPIC, resourceName: 'nope', configs: [{ name: 'retention.ms', configOperation: SET, value: '1' }] },
        { resourceType: TOPIC, resourceName: 't1', configs: [{ name: 'retention.ms', configOperation: SET, value: '1' }] },
        { resourceType: TOPIC, resourceName: 't1', configs: [{ name: 'retention.ms', configOperation: SET, value: '2' }] },
        { resourceType: 3, resourceName: 'x', configs: [] },
        { resourceType: LOGGER, resourceName: '1', configs: [{ name: 'kafka.server', configOperation: SET, value: 'DEBUG' }] },
      ],
    });
    expect(multi.responses.map((r) => [r.errorCode, r.errorMessage])).toEqual([
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'nope' does not exist."],
      [ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.'],
      [ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.'],
      [ErrorCode.INVALID_REQUEST, 'Unknown resource type 3'],
      [ErrorCode.INVALID_CONFIG, 'Logger kafka.server does not exist!'],
    ]);
    expect(broker.services.topics.get('t1')!.configs).toEqual({});
  });

  it('AlterConfigs replaces the whole set; validate_only changes nothing; live log config follows', async () => {
    const ac = (configs: Array<{ name: string; value: string | null }>, validateOnly = false) =>
      c.send(AlterConfigs, 1, { resources: [{ resourceType: TOPIC, resourceName: 't1', configs }], validateOnly }).then((r) => r.responses[0]);
    expect(await ac([{ name: 'retention.ms', value: '1000' }], true)).toMatchObject({ errorCode: 0 });
    expect(broker.services.topics.get('t1')!.configs).toEqual({});
    expect(await ac([{ name: 'retention.ms', value: '3600000' }, { name: 'segment.bytes', value: '2000000' }])).toMatchObject({ errorCode: 0 });
    expect(await ac([{ name: 'retention.bytes', value: '12345' }, { name: 'cleanup.policy', value: 'compact,delete' }])).toMatchObject({ errorCode: 0 });
    expect(broker.services.topics.get('t1')!.configs).toEqual({ 'retention.bytes': '12345', 'cleanup.policy': 'compact,delete' });
    const cfg = byName((await describeTopic('t1', ['retention.bytes', 'retention.ms', 'cleanup.policy'])).configs);
    expect(cfg['retention.bytes']).toMatchObject({ value: '12345', configSource: 1, synonyms: [{ name: 'retention.bytes', value: '12345', source: 1 }, { name: 'log.retention.bytes', value: '-1', source: 5 }] });
    expect(cfg['retention.ms']).toMatchObject({ value: '604800000', configSource: 5 });
    expect(broker.services.topics.logConfig('t1')).toMatchObject({ retentionBytes: 12345 });
    expect(await ac([{ name: 'foo.bar', value: '1' }])).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown topic config name: foo.bar' });
    expect(await ac([{ name: 'retention.ms', value: null }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Null value not supported for : retention.ms' });
    const logger = await c.send(AlterConfigs, 1, { resources: [{ resourceType: LOGGER, resourceName: '1', configs: [{ name: 'root', value: 'INFO' }] }] });
    expect(logger.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown resource type 8' });
    expect(await ac([])).toMatchObject({ errorCode: 0 });
  });

  it('dynamic broker configs: cluster default and per-broker log.retention.ms, read-only keys, persisted across restarts', async () => {
    expect(await iac(BROKER, '1', [{ name: 'node.id', configOperation: SET, value: '5' }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Cannot update these configs dynamically: [node.id]' });
    expect(await iac(BROKER, '', [{ name: 'log.retention.check.interval.ms', configOperation: SET, value: '5' }])).toMatchObject({ errorMessage: 'Cannot update these configs dynamically: [log.retention.check.interval.ms]' });
    expect(await iac(BROKER, '1', [{ name: 'log.retention.ms', configOperation: SET, value: 'x' }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Invalid value x for configuration log.retention.ms: Not a number of type LONG' });
    expect(await iac(BROKER, '99', [{ name: 'log.retention.ms', configOperation: SET, value: '5' }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unexpected broker id, expected 1, but received 99' });
    expect(await iac(BROKER, 'abc', [{ name: 'log.retention.ms', configOperation: SET, value: '5' }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Node id must be an integer, but it is: abc' });

    expect(await iac(BROKER, '', [{ name: 'log.retention.ms', configOperation: SET, value: '86400000' }])).toMatchObject({ errorCode: 0 });
    expect((await describeTopic('t1', ['retention.ms'])).configs[0]).toMatchObject({
      value: '86400000', configSource: 3,
      synonyms: [{ name: 'log.retention.ms', value: '86400000', source: 3 }, { name: 'log.retention.hours', value: '168', source: 5 }],
    });
    expect(broker.services.storage.getPartition('t1', 0)).toBeDefined();
    expect(broker.services.topics.logConfig('t1').retentionMs).toBe(86400000);
    expect(await iac(BROKER, '1', [{ name: 'log.retention.ms', configOperation: SET, value: '7200000' }])).toMatchObject({ errorCode: 0 });
    const b = byName((await c.send(DescribeConfigs, 4, { resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: ['log.retention.ms'] }], includeSynonyms: true })).results[0].configs);
    expect(b['log.retention.ms']).toMatchObject({
      value: '7200000', configSource: 2,
      synonyms: [{ name: 'log.retention.ms', value: '7200000', source: 2 }, { name: 'log.retention.ms', value: '86400000', source: 3 }, { name: 'log.retention.hours', value: '168', source: 5 }],
    });
    const def = (await c.send(DescribeConfigs, 4, { resources: [{ resourceType: BROKER, resourceName: '', configurationKeys: null }], includeSynonyms: true })).results[0];
    expect(def.configs).toEqual([expect.objectContaining({ name: 'log.retention.ms', value: '86400000', configSource: 3, synonyms: [{ name: 'log.retention.ms', value: '86400000', source: 3 }] })]);
    expect(JSON.parse(readFileSync(join(dir, '__brook_broker_configs.json'), 'utf8'))).toMatchObject({ broker: { 'log.retention.ms': '7200000' }, cluster: { 'log.retention.ms': '86400000' } });

    c.close();
    await broker.close();
    await start();
    expect((await describeTopic('t1', ['retention.ms', 'retention.bytes'])).configs.map((x) => [x.name, x.value, x.configSource])).toEqual([
      ['retention.bytes', '-1', 5],
      ['retention.ms', '7200000', 2],
    ]);
    expect(broker.services.topics.logConfig('t1').retentionMs).toBe(7200000);
    expect(await iac(BROKER, '1', [{ name: 'log.retention.ms', configOperation: DELETE, value: null }])).toMatchObject({ errorCode: 0 });
    expect(broker.services.topics.logConfig('t1').retentionMs).toBe(86400000);
  });
});
