import fs from 'node:fs';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NetworkServer } from '../../src/server/server.js';
import { Dispatcher } from '../../src/server/dispatcher.js';
import { HandlerRegistry, type CodecLike } from '../../src/handlers/registry.js';
import { NO_RESPONSE, type BrokerServices, type Handler } from '../../src/handlers/types.js';
import { Framer } from '../../src/server/framer.js';
import { createLogger } from '../../src/logger.js';
import type { DeferredBytes, Reader, Writer } from '../../src/protocol/primitives/index.js';

/** Test API: request = int32 delayMs, int32 value[, int32 responseBytes]; response = int32 value + bytes. */
export interface TestReq {
  delay: number;
  value: number;
  size: number;
}
export function testCodec(apiKey: number, name: string, min = 0, max = 3, headerV = 1): CodecLike {
  return {
    apiKey,
    name,
    minVersion: min,
    maxVersion: max,
    requestHeaderVersion: () => headerV,
    responseHeaderVersion: () => 0,
    decodeRequest(r: Reader): TestReq {
      const req = { delay: r.int32(), value: r.int32(), size: r.remaining >= 4 ? r.int32() : 0 };
      r.check();
      return req;
    },
    encodeResponse(w: Writer, _v: number, m: { value?: number; payload?: Buffer }) {
      w.int32(m.value ?? 0);
      if (m.payload) w.raw(m.payload);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const KEY = { SLEEP: 100, NO_RESPONSE: 101, THROW: 102, BIG: 103, GATE: 104, STREAM: 105, SUM: 106, API_VERSIONS: 18 } as const;

/** SUM's answer: a checksum of the whole request body. */
export function bodySum(body: Buffer): number {
  let h = body.length;
  for (let i = 0; i < body.length; i++) h = (Math.imul(h, 31) + body[i]) | 0;
  return h;
}

/** Byte i of a STREAM response's deferred bytes. */
export const patternByte = (i: number) => i % 251;
/** The STREAM response's bytes after the deferred ones (small: they sit in the connection's writer). */
export const STREAM_TAIL = Buffer.from('tail-after-span!');

/**
 * Deferred bytes that compute their content (the pattern) when read; reads at or past `failAt`
 * reject. Counts reads and in-flight reads.
 */
export class PatternSpan implements DeferredBytes {
  reads = 0;
  constructor(
    readonly length: number,
    private readonly failAt = -1,
  ) {}
  async read(target: Buffer, from: number): Promise<void> {
    this.reads++;
    await sleep(1);
    if (this.failAt >= 0 && from + target.length > this.failAt) throw new Error('injected read failure');
    for (let i = 0; i < target.length; i++) target[i] = patternByte(from + i);
  }
}

/** The pattern's bytes in the file behind FilePatternSpan; beyond them the file is sparse (zeros) up to 1 GiB. */
export const PATTERN_FILE_BYTES = 32 * 1024 * 1024;
let patternFile: number | null = null;
function patternFd(): number {
  if (patternFile === null) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-stream-'));
    const file = path.join(dir, 'pattern');
    const buf = Buffer.allocUnsafe(PATTERN_FILE_BYTES);
    for (let i = 0; i < buf.length; i++) buf[i] = patternByte(i);
    fs.writeFileSync(file, buf);
    fs.truncateSync(file, 1024 * 1024 * 1024);
    patternFile = fs.openSync(file, 'r');
    fs.rmSync(dir, { recursive: true }); // the open descriptor keeps the file readable
  }
  return patternFile;
}

/** Deferred bytes that lie in a real file (the pattern), so the connection may sendfile them; counts reads. */
export class FilePatternSpan implements DeferredBytes {
  reads = 0;
  readonly file: { fd: number; position: number };
  constructor(readonly length: number) {
    this.file = { fd: patternFd(), position: 0 };
  }
  async read(target: Buffer, from: number): Promise<void> {
    this.reads++;
    for (let got = 0; got < target.length; ) {
      const n = await new Promise<number>((res, rej) =>
        fs.read(this.file.fd, target, got, target.length - got, this.file.position + from + got, (e, k) => (e ? rej(e) : res(k))),
      );
      if (n === 0) throw new Error('pattern file ended');
      got += n;
    }
  }
}

/** STREAM (request: failAt or -1, or -2 for a FilePatternSpan, value, size): response int32 value, then bytes [span, STREAM_TAIL]; releases counted. */
export const streamStats = { released: 0, spans: [] as (PatternSpan | FilePatternSpan)[] };

/** GATE requests wait until openGate(), which releases every waiting one in the same tick. */
let gate: { promise: Promise<void>; open: () => void };
function newGate() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  gate = { promise, open };
}
newGate();
export function openGate(): void {
  const g = gate;
  newGate();
  g.open();
}

export function testRegistry(): HandlerRegistry {
  const reg = new HandlerRegistry();
  const h = (apiKey: number, handle: Handler['handle']): Handler => ({ apiKey, minVersion: 0, maxVersion: 3, handle });
  reg.register(h(KEY.SLEEP, async (_c, req: TestReq) => (await sleep(req.delay), { value: req.value })), testCodec(KEY.SLEEP, 'Sleep'));
  reg.register(h(KEY.NO_RESPONSE, () => NO_RESPONSE), testCodec(KEY.NO_RESPONSE, 'NoResponse'));
  reg.register(h(KEY.THROW, () => { throw new Error('boom'); }), testCodec(KEY.THROW, 'Throw'));
  reg.register(h(KEY.BIG, (_c, req: TestReq) => ({ value: req.value, payload: Buffer.alloc(req.size, 7) })), testCodec(KEY.BIG, 'Big'));
  reg.register(
    h(KEY.STREAM, (c, req: TestReq) => {
      const span = req.delay === -2 ? new FilePatternSpan(req.size) : new PatternSpan(req.size, req.delay);
      streamStats.spans.push(span);
      c.onResponseSent?.(() => streamStats.released++);
      return { value: req.value, parts: [span, STREAM_TAIL] };
    }),
    {
      ...testCodec(KEY.STREAM, 'Stream'),
      encodeResponse(w: Writer, _v: number, m: { value?: number; parts?: (Buffer | DeferredBytes)[] }) {
        w.int32(m.value ?? 0);
        w.bytes(m.parts ?? []);
      },
    },
  );
  // SUM: any body; waits a little, answers the body's checksum as it is then, and only then lets
  // the connection reuse the frame. A frame reused while its request still held it answers wrong.
  reg.register(
    h(KEY.SUM, async (c, req: { body: Buffer }) => {
      await sleep(req.body.length % 4);
      const sum = bodySum(req.body);
      c.releaseRequestBytes?.();
      c.releaseRequestBytes?.(); // a second call must not give the frame back twice
      return { value: sum };
    }),
    { ...testCodec(KEY.SUM, 'Sum'), decodeRequest: (r: Reader) => ({ body: r.raw(r.remaining) }) },
  );
  reg.register(h(KEY.GATE, async (_c, req: TestReq) => (await gate.promise, { value: req.value })), testCodec(KEY.GATE, 'Gate'));
  reg.register(h(KEY.API_VERSIONS, (_c, req: TestReq) => ({ value: req.value })), testCodec(KEY.API_VERSIONS, 'ApiVersions', 0, 4, 1));
  return reg;
}

export async function startTestServer(
  opts: {
    idleMs?: number;
    maxFrameBytes?: number;
    maxInFlight?: number;
    maxInFlightBytes?: number;
    socketReadBuffers?: boolean;
    sendfile?: boolean;
    sendBufferBytes?: number;
    receiveBufferBytes?: number;
  } = {},
) {
  const registry = testRegistry();
  const services = { clock: { now: () => Date.now() } } as unknown as BrokerServices;
  const server = new NetworkServer({
    listeners: [{ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
    dispatcher: new Dispatcher(registry, services),
    logger: createLogger(),
    maxFrameBytes: opts.maxFrameBytes ?? 1024 * 1024,
    idleMs: opts.idleMs ?? 60_000,
    maxInFlight: opts.maxInFlight,
    maxInFlightBytes: opts.maxInFlightBytes,
    socketReadBuffers: opts.socketReadBuffers,
    sendfile: opts.sendfile,
    sendBufferBytes: opts.sendBufferBytes,
    receiveBufferBytes: opts.receiveBufferBytes,
  });
  const [bound] = await server.start();
  return { server, port: bound.port };
}

/** A request frame with header v1 (clientId "t") and a raw body. */
export function rawFrame(apiKey: number, correlationId: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4 + 8 + 3);
  let o = head.writeInt32BE(head.length - 4 + body.length, 0);
  o = head.writeInt16BE(apiKey, o);
  o = head.writeInt16BE(0, o);
  o = head.writeInt32BE(correlationId, o);
  o = head.writeInt16BE(1, o);
  head.write('t', o);
  return Buffer.concat([head, body]);
}

/** A request frame with header v1 (clientId "t"). */
export function frame(apiKey: number, version: number, correlationId: number, body: number[]): Buffer {
  const b = Buffer.alloc(4 + 8 + 3 + body.length * 4);
  let o = b.writeInt32BE(b.length - 4, 0);
  o = b.writeInt16BE(apiKey, o);
  o = b.writeInt16BE(version, o);
  o = b.writeInt32BE(correlationId, o);
  o = b.writeInt16BE(1, o);
  o += b.write('t', o);
  for (const v of body) o = b.writeInt32BE(v, o);
  return b;
}

export interface TestClient {
  socket: Socket;
  responses: Buffer[];
  closed: Promise<void>;
  isClosed: () => boolean;
  waitFor(n: number, timeoutMs?: number): Promise<Buffer[]>;
}

export async function client(port: number): Promise<TestClient> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
  const framer = new Framer(1 << 30);
  const responses: Buffer[] = [];
  let closedFlag = false;
  socket.on('data', (c) => {
    framer.push(c);
    for (let f = framer.next(); f; f = framer.next()) responses.push(f);
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((res) => socket.once('close', () => { closedFlag = true; res(); }));
  return {
    socket,
    responses,
    closed,
    isClosed: () => closedFlag,
    async waitFor(n, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (responses.length < n) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${n} responses (have ${responses.length})`);
        await sleep(5);
      }
      return responses;
    },
  };
}

export { sleep };
