/**
 * Hostile and broken input over real sockets. Every case checks that the broker stays up, that a
 * connection opened before the case still completes a request afterwards, and that a topic with known
 * contents reads back byte for byte identical.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ApiVersions, CreateTopics, Metadata, Produce } from '../../src/protocol/generated/index.js';
import { encodeRequestFrame } from '../../src/protocol/headers.js';
import { Reader, Writer, type ApiCodec, type Init } from '../../src/protocol/primitives/index.js';
import { buildRecordBatch } from '../../src/protocol/records/index.js';
import { RawConn } from '../helpers/raw-conn.js';

const MAX_REQUEST = 1024 * 1024;

function frameOf<Req>(codec: ApiCodec<Req, unknown>, version: number, body: Init<Req>, correlationId = 99): Buffer {
  const w = new Writer();
  encodeRequestFrame(w, codec, version, correlationId, 'bad-input', body);
  return w.toBuffer();
}

/** A size-prefixed frame: int16 key, int16 version, int32 correlation id, client id "t", then `rest`. */
function rawFrame(apiKey: number, version: number, rest: Buffer, flexible = false): Buffer {
  const head = Buffer.alloc(8 + 3 + (flexible ? 1 : 0));
  head.writeInt16BE(apiKey, 0);
  head.writeInt16BE(version, 2);
  head.writeInt32BE(7, 4);
  head.writeInt16BE(1, 8);
  head.write('t', 10);
  const body = Buffer.concat([head, rest]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

describe('bad input', () => {
  let broker: RunningBroker;
  let bystander: RawConn;
  let snapshot: Buffer;
  let knownId: string;

  const readKnown = async () => {
    const log = broker.services.storage.getPartition('known', 0)!;
    const r = await log.read(0, 1 << 20, true);
    return Buffer.concat(r.chunks);
  };

  async function expectHealthy(): Promise<void> {
    const md = await bystander.request(Metadata, 1, { topics: [{ name: 'known' }] });
    expect(md.topics[0]).toMatchObject({ name: 'known', errorCode: 0 });
    const fresh = await RawConn.open(broker.port);
    try {
      const v = await fresh.request(ApiVersions, 3, { clientSoftwareName: 'probe', clientSoftwareVersion: '1' });
      expect(v.errorCode).toBe(0);
    } finally {
      fresh.close();
    }
    expect(broker.services.topics.get('known')!.topicId).toBe(knownId);
    expect((await readKnown()).equals(snapshot)).toBe(true);
  }

  async function expectClosedBy(bytes: Buffer): Promise<void> {
    const c = await RawConn.open(broker.port);
    c.write(bytes);
    expect(await c.closesWithin(3000)).toBe(true);
    expect(await c.next(100).catch(() => null)).toBeNull(); // and nothing was answered
  }

  beforeAll(async () => {
    broker = await startBroker({ storage: 'memory', port: 0, config: { 'socket.request.max.bytes': MAX_REQUEST, 'auto.create.topics.enable': false } });
    const created = await broker.services.topics.createTopic({ name: 'known', numPartitions: 1 });
    knownId = 'topic' in created ? created.topic.topicId : '';
    const log = broker.services.storage.getPartition('known', 0)!;
    for (const values of [['a', 'b'], ['c']]) {
      const buf = buildRecordBatch({ records: values.map((v) => ({ value: v, timestamp: 1_700_000_000_000 })) });
      await log.append([{ buf, offsetCount: values.length, maxTimestamp: 1_700_000_000_000 }], 0, 'written');
    }
    snapshot = Buffer.from(await readKnown());
    expect(snapshot.length).toBeGreaterThan(0);
    bystander = await RawConn.open(broker.port);
  });
  afterAll(async () => {
    bystander.close();
    await broker.close();
  });

  it('negative frame size: connection closed', async () => {
    await expectClosedBy(Buffer.concat([int32(-5), Buffer.alloc(16)]));
    await expectClosedBy(int32(-2147483648));
    await expectHealthy();
  });

  it('frame size above socket.request.max.bytes: closed before the body arrives', async () => {
    await expectClosedBy(int32(MAX_REQUEST + 1));
    await expectClosedBy(int32(2147483647));
    await expectHealthy();
  });

  it('truncated body: a frame shorter than its header or body claims', async () => {
    const full = frameOf(Metadata, 1, { topics: [{ name: 'known' }] });
    const cut = full.subarray(0, full.length - 3);
    cut.writeInt32BE(cut.length - 4, 0);
    await expectClosedBy(cut);
    await expectClosedBy(Buffer.concat([int32(6), Buffer.from([0, 3, 0, 1, 0, 0])])); // header cut before the correlation id ends
    // The size says 100, 20 bytes arrive, then the client gives up: nothing to answer, nothing breaks.
    const c = await RawConn.open(broker.port);
    c.write(Buffer.concat([int32(100), full.subarray(4, 24)]));
    c.socket.end();
    await c.closedPromise;
    await expectHealthy();
  });

  it('unknown API key: closed', async () => {
    await expectClosedBy(rawFrame(999, 0, Buffer.alloc(0)));
    await expectClosedBy(rawFrame(-1, 0, Buffer.alloc(0)));
    await expectHealthy();
  });

  it('unsupported version of a served API: closed', async () => {
    await expectClosedBy(rawFrame(3, 99, int32(0)));
    await expectClosedBy(rawFrame(3, -1, int32(0)));
    await expectHealthy();
  });

  it('ApiVersions v99: v0-format UNSUPPORTED_VERSION with our range for key 18; the connection stays usable', async () => {
    const c = await RawConn.open(broker.port);
    try {
      c.write(rawFrame(18, 99, Buffer.alloc(0)));
      const f = (await c.next())!;
      expect(f.readInt32BE(0)).toBe(7);
      const res = ApiVersions.decodeResponse(new Reader(f, 4), 0);
      expect(res.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
      expect(res.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
      const again = await c.request(ApiVersions, 3, { clientSoftwareName: 'retry', clientSoftwareVersion: '1' });
      expect(again.errorCode).toBe(0);
    } finally {
      c.close();
    }
    await expectHealthy();
  });

  it('array and string lengths larger than the frame: closed without allocating them', async () => {
    const before = process.memoryUsage().rss;
    await expectClosedBy(rawFrame(3, 1, int32(2147483647))); // Metadata v1 topics count 2^31-1
    await expectClosedBy(rawFrame(3, 4, Buffer.concat([int32(1_000_000), Buffer.from([0, 1, 0x61])])));
    const compact = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x07]); // uvarint 2^31-1 as a compact array length
    await expectClosedBy(rawFrame(3, 9, compact, true));
    const longName = Buffer.concat([int32(1), Buffer.from([0x7f, 0xff]), Buffer.from('abc')]); // string length 32767
    await expectClosedBy(rawFrame(19, 0, longName));
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    await expectHealthy();
  });

  it("CreateTopics with invalid names: INVALID_TOPIC_EXCEPTION each, nothing created (Kafka's rules)", async () => {
    const bad = ['', '.', '..', 'x'.repeat(250), 'has space', 'slash/name', 'ümlaut', 'star*', 'tab\t', 'known'.replace('n', 'N') + '!'];
    const res = await bystander.request(CreateTopics, 4, {
      topics: [...bad, 'kno.wn', 'kn_own'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1 })),
      timeoutMs: 1000,
    });
    for (const t of res.topics.filter((t) => bad.includes(t.name))) expect([t.name, t.errorCode]).toEqual([t.name, ErrorCode.INVALID_TOPIC_EXCEPTION]);
    expect(res.topics.filter((t) => bad.includes(t.name))).toHaveLength(bad.length);
    // 'kno.wn' is fine; 'kn_own' is fine too; then 'kno_wn' collides with 'kno.wn'
    const collide = await bystander.request(CreateTopics, 4, { topics: [{ name: 'kno_wn', numPartitions: 1, replicationFactor: 1 }] });
    expect(collide.topics[0]).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: "Topic 'kno_wn' collides with existing topic: kno.wn" });
    for (const name of bad) expect(broker.services.topics.get(name)).toBeUndefined();
    expect(broker.services.topics.get('x'.repeat(249))).toBeUndefined();
    const ok249 = await bystander.request(CreateTopics, 4, { topics: [{ name: 'y'.repeat(249), numPartitions: 1, replicationFactor: 1 }] });
    expect(ok249.topics[0].errorCode).toBe(0);
    await expectHealthy();
  });

  it('Produce: a corrupt batch is CORRUPT_MESSAGE, an oversized one MESSAGE_TOO_LARGE; nothing stored', async () => {
    await broker.services.topics.createTopic({ name: 'small', numPartitions: 1, configs: [['max.message.bytes', '200']] });
    const good = buildRecordBatch({ records: [{ value: 'x' }] });
    const corrupt = Buffer.from(good);
    corrupt[corrupt.length - 1] ^= 0xff; // payload changed, CRC not
    const produce = (topic: string, records: Buffer) =>
      bystander.request(Produce, 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
    const c1 = await produce('known', corrupt);
    expect(c1.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    const big = buildRecordBatch({ records: [{ value: Buffer.alloc(1000, 1) }] });
    const c2 = await produce('small', big);
    expect(c2.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(broker.services.storage.getPartition('small', 0)!.logEndOffset()).toBe(0);
    await expectHealthy();
  });

  it('random frames, one connection each: the broker answers or closes, and stays healthy', async () => {
    const keys = broker.services.apis();
    const header = fc.record({
      api: fc.constantFrom(...keys),
      versionShift: fc.integer({ min: -1, max: 20 }),
      correlationId: fc.integer(),
    });
    const frames = fc.oneof(
      // anything at all after a size prefix
      fc.uint8Array({ minLength: 0, maxLength: 300 }).map((b) => Buffer.concat([int32(b.length), Buffer.from(b)])),
      // a plausible header for a served API, then random bytes (reaches the decoders)
      fc.tuple(header, fc.uint8Array({ minLength: 0, maxLength: 200 })).map(([h, b]) => {
        const f = Buffer.concat([Buffer.alloc(8), Buffer.from(b)]);
        f.writeInt16BE(h.api.apiKey, 0);
        f.writeInt16BE(Math.min(32767, h.api.minVersion + h.versionShift), 2);
        f.writeInt32BE(h.correlationId, 4);
        return Buffer.concat([int32(f.length), f]);
      }),
    );
    const outcomes = { answered: 0, closed: 0, waiting: 0 };
    await fc.assert(
      fc.asyncProperty(frames, async (bytes) => {
        const c = await RawConn.open(broker.port);
        try {
          c.write(bytes);
          // Either an answer, a close, or (a decodable long poll) nothing yet: all fine, as long as the broker lives.
          const f = await Promise.race([c.next(500).catch(() => undefined), c.closedPromise.then(() => null)]);
          outcomes[f ? 'answered' : f === null ? 'closed' : 'waiting']++;
        } finally {
          c.close();
        }
      }),
      { numRuns: 300 },
    );
    expect(outcomes.closed).toBeGreaterThan(100);
    expect(outcomes.answered + outcomes.closed + outcomes.waiting).toBe(300);
    await expectHealthy();
  });
});
