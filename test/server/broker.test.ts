import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../src/index.js';
import { ApiVersions } from '../../src/protocol/generated/index.js';
import { Reader, Writer } from '../../src/protocol/primitives/index.js';
import { Framer } from '../../src/server/framer.js';

/** Sends one ApiVersions request at `version` and returns the response frame (after the size). */
async function apiVersionsRaw(port: number, version: number, correlationId = 7, softwareName = 'raw-test'): Promise<Buffer> {
  const w = new Writer();
  const p = w.beginSizePrefix();
  w.int16(18);
  w.int16(version);
  w.int32(correlationId);
  w.nullableString('raw-test');
  if (version >= 3) w.uvarint(0);
  ApiVersions.encodeRequest(w, Math.min(version, 4), { clientSoftwareName: softwareName, clientSoftwareVersion: '1.0' });
  w.endSizePrefix(p);
  const socket = connect({ host: '127.0.0.1', port });
  const framer = new Framer(1 << 20);
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (c) => {
      framer.push(c);
      const f = framer.next();
      if (f) {
        socket.destroy();
        resolve(f);
      }
    });
    socket.write(w.toBuffer());
  });
}

describe('startBroker (embedded)', () => {
  it('serves ApiVersions to kafkajs on a memory broker at port 0', async () => {
    const broker = await startBroker({ storage: 'memory', port: 0 });
    try {
      expect(broker.port).toBeGreaterThan(0);
      expect(broker.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const kafka = new Kafka({ clientId: 'brook-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
      const admin = kafka.admin();
      await admin.connect();
      await admin.disconnect();
    } finally {
      await broker.close();
    }
  });

  it('answers ApiVersions v0-v4 with its registry; v3+ keeps response header v0; v5 gets UNSUPPORTED_VERSION', async () => {
    const broker = await startBroker({ storage: 'memory', port: 0 });
    try {
      for (let v = 0; v <= 4; v++) {
        const f = await apiVersionsRaw(broker.port, v);
        expect(f.readInt32BE(0)).toBe(7);
        const r = new Reader(f, 4); // header v0: no tagged-field byte, even for v3+
        const res = ApiVersions.decodeResponse(r, v);
        expect(r.remaining).toBe(0);
        expect(res.errorCode).toBe(0);
        expect(res.apiKeys.find((k: { apiKey: number }) => k.apiKey === 18)).toMatchObject({ minVersion: 0, maxVersion: 4 });
        expect(res.supportedFeatures).toEqual([]);
        expect(res.finalizedFeatures).toEqual([]);
      }
      const bad = ApiVersions.decodeResponse(new Reader(await apiVersionsRaw(broker.port, 3, 8, 'bad name!'), 4), 3);
      expect(bad.errorCode).toBe(42); // INVALID_REQUEST, as Kafka for an invalid client_software_name
      const f = await apiVersionsRaw(broker.port, 5);
      const res = ApiVersions.decodeResponse(new Reader(f, 4), 0);
      expect(res.errorCode).toBe(35);
      expect(res.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
    } finally {
      await broker.close();
    }
  });

  it('keeps cluster id, topic ids and epochs across a restart with file storage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brook-broker-'));
    const cfg = { 'log.dirs': dir, listeners: 'PLAINTEXT://127.0.0.1:0' };
    const b1 = await startBroker({ config: cfg });
    const created = await b1.services.topics.createTopic({ name: 'orders', numPartitions: 2 });
    await b1.close();
    expect(readFileSync(join(dir, 'meta.properties'), 'utf8')).toContain(`cluster.id=${b1.clusterId}`);
    const b2 = await startBroker({ config: cfg });
    try {
      expect(b2.clusterId).toBe(b1.clusterId);
      const t = b2.services.topics.get('orders')!;
      expect('topic' in created && created.topic.topicId).toBe(t.topicId);
      expect(t.leaderEpochs).toEqual([0, 0]);
      expect(b2.services.storage.getPartition('orders', 1)).toBeDefined();
    } finally {
      await b2.close();
    }
  });

  it('rejects a bad config value', async () => {
    await expect(startBroker({ storage: 'memory', config: { 'node.id': 'abc' } })).rejects.toThrow(/node\.id/);
  });
});
