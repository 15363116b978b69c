import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigException, envNameToConfigKey, loadBrokerConfig } from '../../src/metadata/broker-config.js';
import { parseProperties } from '../../src/metadata/properties.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'brook-cfg-'));

describe('broker config', () => {
  it('has Kafka defaults', () => {
    const c = loadBrokerConfig({ env: {} });
    expect(c.nodeId).toBe(1);
    expect(c.listeners).toEqual([{ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }]);
    expect(c.logDirs).toEqual(['./data']);
    expect(c.num('num.partitions')).toBe(1);
    expect(c.num('message.max.bytes')).toBe(1048588);
    expect(c.num('socket.request.max.bytes')).toBe(104857600);
    expect(c.num('connections.max.idle.ms')).toBe(600000);
    expect(c.num('socket.send.buffer.bytes')).toBe(102400);
    expect(c.num('socket.receive.buffer.bytes')).toBe(102400);
    expect(loadBrokerConfig({ env: {}, overrides: { 'socket.send.buffer.bytes': '-1' } }).num('socket.send.buffer.bytes')).toBe(-1);
    expect(c.bool('auto.create.topics.enable')).toBe(true);
    expect(c.logRetentionMs).toBe(168 * 3600_000);
    expect(c.logConfig.segmentBytes).toBe(1073741824);
  });

  it('precedence: default < file < env < override', () => {
    const dir = tmp();
    const file = join(dir, 'server.properties');
    writeFileSync(file, '# comment\nnum.partitions=2\nnode.id = 5\nlog.dirs: /from/file\nmessage.max.bytes=100\n');
    const env = { KAFKA_NUM_PARTITIONS: '3', KAFKA_LOG_DIRS: '/from/env', BROOK_LOG_DIRS: '/from/brook-env', PATH: '/bin' };
    const c = loadBrokerConfig({ file, env, overrides: { 'num.partitions': '4' } });
    expect(c.num('num.partitions')).toBe(4);
    expect(c.source('num.partitions')).toBe('override');
    expect(c.logDirs).toEqual(['/from/brook-env']); // BROOK_ beats KAFKA_
    expect(c.source('log.dirs')).toBe('env');
    expect(c.nodeId).toBe(5);
    expect(c.source('node.id')).toBe('file');
    expect(c.num('message.max.bytes')).toBe(100);
    expect(c.source('default.replication.factor')).toBe('default');
  });

  it('maps env names like the Kafka docker image', () => {
    expect(envNameToConfigKey('KAFKA_LOG_DIRS', 'KAFKA_')).toBe('log.dirs');
    expect(envNameToConfigKey('KAFKA_LISTENER_SECURITY_PROTOCOL_MAP', 'KAFKA_')).toBe('listener.security.protocol.map');
    expect(envNameToConfigKey('KAFKA_FOO__BAR', 'KAFKA_')).toBe('foo_bar');
    expect(envNameToConfigKey('KAFKA_FOO___BAR', 'KAFKA_')).toBe('foo-bar');
    // JVM variables are not configs
    expect(loadBrokerConfig({ env: { KAFKA_HEAP_OPTS: '-Xmx1g' } }).warnings).toEqual([]);
  });

  it('warns on unknown keys', () => {
    const c = loadBrokerConfig({ env: { BROOK_NO_SUCH_THING: 'x' }, overrides: { 'num.partitionz': '3' } });
    expect(c.warnings).toHaveLength(2);
    expect(c.warnings[1]).toMatch(/num\.partitionz/);
  });

  it('rejects bad values with a clear error', () => {
    const bad: Array<[string, string, RegExp]> = [
      ['node.id', 'abc', /node\.id.*Not a number of type INT/],
      ['num.partitions', '0', /at least 1/],
      ['auto.create.topics.enable', 'yes', /true or false/],
      ['node.id', '99999999999', /INT/],
      ['log.message.timestamp.type', 'Foo', /one of/],
      ['log.cleanup.policy', 'delete,bogus', /bogus/],
      ['listeners', 'localhost:9092', /listener/],
      ['listeners', 'SSL://:9093', /not supported/],
      ['log.retention.ms', '1.5', /LONG/],
      ['socket.send.buffer.bytes', '0', /at least 1/],
      ['socket.receive.buffer.bytes', '-2', /at least 1/],
    ];
    for (const [k, v, re] of bad) {
      expect(() => loadBrokerConfig({ env: {}, overrides: { [k]: v } }), `${k}=${v}`).toThrow(ConfigException);
      expect(() => loadBrokerConfig({ env: {}, overrides: { [k]: v } })).toThrow(re);
    }
  });

  it('parses typed values', () => {
    const c = loadBrokerConfig({
      env: {},
      overrides: { 'log.flush.interval.messages': '9223372036854775807', listeners: 'PLAINTEXT://:0, CONTROLLER://:9093', 'controller.listener.names': 'CONTROLLER', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT' },
    });
    expect(c.num('log.flush.interval.messages')).toBe(Number.MAX_SAFE_INTEGER);
    expect(c.listeners).toEqual([{ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '', port: 0 }]);
  });

  it('retention: ms beats minutes beats hours; negative means unlimited', () => {
    const r = (o: Record<string, string>) => loadBrokerConfig({ env: {}, overrides: o }).logRetentionMs;
    expect(r({ 'log.retention.hours': '1' })).toBe(3600_000);
    expect(r({ 'log.retention.hours': '1', 'log.retention.minutes': '2' })).toBe(120_000);
    expect(r({ 'log.retention.hours': '1', 'log.retention.minutes': '2', 'log.retention.ms': '5' })).toBe(5);
    expect(r({ 'log.retention.ms': '-1' })).toBe(-1);
    expect(r({ 'log.retention.minutes': '-5' })).toBe(-1);
    const roll = loadBrokerConfig({ env: {}, overrides: { 'log.roll.hours': '2' } }).logRollMs;
    expect(roll).toBe(7200_000);
  });

  it('broker.id is a synonym of node.id; log.dirs beats log.dir', () => {
    expect(loadBrokerConfig({ env: {}, overrides: { 'broker.id': '7' } }).nodeId).toBe(7);
    expect(() => loadBrokerConfig({ env: {}, overrides: { 'broker.id': '7', 'node.id': '8' } })).toThrow(ConfigException);
    expect(loadBrokerConfig({ env: {}, overrides: { 'log.dir': '/a' } }).logDirs).toEqual(['/a']);
    expect(loadBrokerConfig({ env: {}, overrides: { 'log.dir': '/a', 'log.dirs': '/b' } }).logDirs).toEqual(['/b']);
  });

  it('parses Java properties syntax', () => {
    expect(parseProperties('a=1\n  b : 2\nc 3\n! x\nd=line\\\n   continued\ne=\\u0041\\tB\nf\n')).toEqual([
      ['a', '1'], ['b', '2'], ['c', '3'], ['d', 'linecontinued'], ['e', 'A\tB'], ['f', ''],
    ]);
  });
});
