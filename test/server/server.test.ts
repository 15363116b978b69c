import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { STREAM_PIECE_BYTES } from '../../src/server/connection.js';
import { bufferPool } from '../../src/protocol/primitives/buffer-pool.js';
import { execFileSync } from 'node:child_process';
import { nodeHeaders } from '../../src/server/native/build.mjs';
import { nativeHelper, nativeSendfile } from '../../src/server/sendfile.js';
import { bodySum, client, frame, KEY, openGate, PATTERN_FILE_BYTES, patternByte, rawFrame, sleep, startTestServer, STREAM_TAIL, streamStats } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function setup(opts?: Parameters<typeof startTestServer>[0]) {
  const s = await startTestServer(opts);
  cleanups.push(() => s.server.close());
  return s;
}
const corr = (r: Buffer) => r.readInt32BE(0);

describe('network server', () => {
  it('closes the connection on a negative frame size', async () => {
    const { port } = await setup();
    const c = await client(port);
    c.socket.write(Buffer.from([0x80, 0, 0, 0]));
    await c.closed;
  });

  it('closes the connection on a frame larger than socket.request.max.bytes', async () => {
    const { port } = await setup({ maxFrameBytes: 1000 });
    const c = await client(port);
    c.socket.write(Buffer.from([0, 0, 0x10, 0]));
    await c.closed;
  });

  it('assembles a request arriving one byte at a time', async () => {
    const { port } = await setup();
    const c = await client(port);
    for (const b of frame(KEY.SLEEP, 1, 42, [0, 7])) {
      c.socket.write(Buffer.from([b]));
      await sleep(1);
    }
    const [r] = await c.waitFor(1);
    expect(corr(r)).toBe(42);
    expect(r.readInt32BE(4)).toBe(7);
  });

  for (const socketReadBuffers of [true, false]) {
    it(`frames of every size arrive whole and stay intact while held, and released frames are reused (${socketReadBuffers ? 'reads into chosen buffers' : "'data' events"})`, async () => {
      const { port } = await setup({ socketReadBuffers, maxFrameBytes: 8 * 1024 * 1024 });
      const c = await client(port);
      let seed = 7;
      const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
      const sizes = [0, 1, 4000, 4200, 70_000, 300_000, 5 * 1024 * 1024]; // Node's pool, pooled classes, grown (> 4 MiB)
      for (let i = 0; i < 60; i++) sizes.push(rnd(3) === 0 ? rnd(4096) : 4097 + rnd(400_000));
      const bodies = sizes.map((n) => Buffer.from(Array.from({ length: n }, () => rnd(256))));
      const bytes = Buffer.concat(bodies.map((b, i) => rawFrame(KEY.SUM, i, b)));
      const taken = bufferPool.taken;
      const allocated = bufferPool.allocated;
      // Written in uneven pieces, so frames and size headers span reads.
      for (let at = 0; at < bytes.length; ) {
        const n = 1 + rnd(200_000);
        c.socket.write(bytes.subarray(at, at + n));
        at += n;
        if (rnd(4) === 0) await sleep(1);
      }
      const rs = await c.waitFor(bodies.length, 20_000);
      expect(rs.map(corr)).toEqual(bodies.map((_, i) => i));
      expect(rs.map((r) => r.readInt32BE(4))).toEqual(bodies.map(bodySum));
      const pooled = sizes.filter((n) => n + 11 > 4096 && n + 11 <= 4 * 1024 * 1024).length; // frame = 11 header bytes + body
      expect(bufferPool.taken - taken).toBe(pooled);
      expect(bufferPool.allocated - allocated).toBeLessThan(pooled); // given back and taken again
    });
  }

  it('answers pipelined requests in request order when the first finishes last', async () => {
    const { port } = await setup();
    const c = await client(port);
    const delays = [150, 0, 50, 0, 10];
    c.socket.write(Buffer.concat(delays.map((d, i) => frame(KEY.SLEEP, 0, i + 1, [d, i * 10]))));
    const rs = await c.waitFor(5);
    expect(rs.map(corr)).toEqual([1, 2, 3, 4, 5]);
    expect(rs.map((r) => r.readInt32BE(4))).toEqual([0, 10, 20, 30, 40]);
  });

  it('responses completing in the same tick leave in one gathered write', async () => {
    const { server, port } = await setup();
    const c = await client(port);
    c.socket.write(Buffer.concat(Array.from({ length: 20 }, (_, i) => frame(KEY.GATE, 0, i + 1, [0, i]))));
    const deadline = Date.now() + 5000;
    while (server.connections()[0]?.inFlight !== 20 && Date.now() < deadline) await sleep(5);
    const writev = vi.spyOn(Socket.prototype as unknown as { _writev: () => void }, '_writev');
    const write = vi.spyOn(Socket.prototype as unknown as { _write: () => void }, '_write');
    try {
      openGate();
      const rs = await c.waitFor(20);
      expect(rs.map(corr)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(writev).toHaveBeenCalledTimes(1);
      expect(write).not.toHaveBeenCalled();
    } finally {
      writev.mockRestore();
      write.mockRestore();
    }
  });

  it('pauses reading while the requests in flight hold more than maxInFlightBytes', async () => {
    const { server, port } = await setup({ maxInFlightBytes: 60 });
    const c = await client(port);
    // Each frame is 19 bytes after its size: 4 fit under 60 bytes (the 4th starts below the limit).
    c.socket.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => frame(KEY.GATE, 0, i + 1, [0, i]))));
    await sleep(100);
    const conn = server.connections()[0];
    expect(conn.inFlight).toBe(4);
    expect(conn.paused).toBe(true);
    const deadline = Date.now() + 5000;
    while (c.responses.length < 10 && Date.now() < deadline) {
      openGate();
      await sleep(10);
    }
    expect(c.responses.map(corr)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(conn.inFlight).toBe(0);
    expect(conn.paused).toBe(false);
  });

  it('sends nothing for a no-response request and keeps the order of the rest', async () => {
    const { port } = await setup();
    const c = await client(port);
    c.socket.write(Buffer.concat([frame(KEY.SLEEP, 0, 1, [30, 0]), frame(KEY.NO_RESPONSE, 0, 2, [0, 0]), frame(KEY.SLEEP, 0, 3, [0, 0])]));
    const rs = await c.waitFor(2);
    await sleep(50);
    expect(rs.map(corr)).toEqual([1, 3]);
    c.socket.write(frame(KEY.NO_RESPONSE, 0, 4, [0, 0]));
    await sleep(50);
    expect(c.responses).toHaveLength(2);
    expect(c.isClosed()).toBe(false);
  });

  it('closes on an unknown API key and on an unsupported version', async () => {
    const { port } = await setup();
    const c = await client(port);
    c.socket.write(frame(999, 0, 1, [0, 0]));
    await c.closed;
    const d = await client(port);
    d.socket.write(frame(KEY.SLEEP, 9, 1, [0, 0]));
    await d.closed;
    expect(d.responses).toHaveLength(0);
  });

  it('closes on a malformed body', async () => {
    const { port } = await setup();
    const c = await client(port);
    c.socket.write(frame(KEY.SLEEP, 0, 1, [0])); // value missing
    await c.closed;
  });

  it('answers ApiVersions at an unsupported version in v0 format with UNSUPPORTED_VERSION', async () => {
    const { port } = await setup();
    const c = await client(port);
    c.socket.write(frame(KEY.API_VERSIONS, 77, 5, []));
    const [r] = await c.waitFor(1);
    expect(r.length).toBe(4 + 2 + 4 + 6);
    expect(corr(r)).toBe(5);
    expect(r.readInt16BE(4)).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(r.readInt32BE(6)).toBe(1);
    expect([r.readInt16BE(10), r.readInt16BE(12), r.readInt16BE(14)]).toEqual([18, 0, 3]); // the handler serves 0-3 (codec 0-4): advertised 0-3
    // the connection stays usable: the client retries lower
    c.socket.write(frame(KEY.API_VERSIONS, 3, 6, [0, 9]));
    await c.waitFor(2);
    expect(c.responses[1].readInt32BE(4)).toBe(9);
  });

  it('closes idle connections after connections.max.idle.ms', async () => {
    const { port } = await setup({ idleMs: 150 });
    const c = await client(port);
    c.socket.write(frame(KEY.SLEEP, 0, 1, [0, 0]));
    await c.waitFor(1);
    const t0 = Date.now();
    await c.closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
  });

  it('a throwing handler closes only its own connection', async () => {
    const { port } = await setup();
    const bad = await client(port);
    const good = await client(port);
    good.socket.write(frame(KEY.SLEEP, 0, 1, [100, 1]));
    bad.socket.write(frame(KEY.THROW, 0, 1, [0, 0]));
    await bad.closed;
    await good.waitFor(1);
    good.socket.write(frame(KEY.SLEEP, 0, 2, [0, 2]));
    await good.waitFor(2);
    expect(good.isClosed()).toBe(false);
  });

  it('pauses reading from a slow reader instead of buffering without bound', async () => {
    const { server, port } = await setup({ maxInFlight: 8 });
    const c = await client(port);
    c.socket.pause(); // the client stops reading
    const size = 256 * 1024;
    const reqs = Buffer.concat(Array.from({ length: 200 }, (_, i) => frame(KEY.BIG, 0, i, [0, i, size])));
    c.socket.write(reqs);
    await sleep(300);
    const [conn] = server.connections();
    expect(conn.paused).toBe(true);
    expect(conn.writePauses).toBeGreaterThan(0);
    // Far less than 200 x 256 KiB is queued on the server side.
    expect(conn.pendingWriteBytes).toBeLessThan(16 * size);
    c.socket.resume();
    const rs = await c.waitFor(200, 20_000);
    expect(rs.map(corr)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(rs.every((r) => r.length === 4 + 4 + size)).toBe(true);
  });
});

/** Checks a STREAM response: correlation id, value, then size pattern bytes and the tail. */
function checkStreamed(r: Buffer, id: number, size: number): void {
  expect(corr(r)).toBe(id);
  expect(r.readInt32BE(4)).toBe(id); // value
  expect(r.readInt32BE(8)).toBe(size + STREAM_TAIL.length);
  const body = r.subarray(12);
  expect(body.length).toBe(size + STREAM_TAIL.length);
  let bad = -1;
  for (let i = 0; i < size && bad < 0; i++) if (body[i] !== patternByte(i)) bad = i;
  expect(bad).toBe(-1);
  expect(body.subarray(size).equals(STREAM_TAIL)).toBe(true);
}

describe('responses with deferred bytes (streamed file spans)', () => {
  it('streams the deferred bytes in pieces, in order, and the responses queued behind it after them', async () => {
    const { server, port } = await setup();
    const released = streamStats.released;
    const c = await client(port);
    const size = 24 * STREAM_PIECE_BYTES + 12345;
    c.socket.write(frame(KEY.STREAM, 0, 1, [-1, 1, size]));
    await vi.waitFor(() => expect(server.connections()[0]?.streamedResponses).toBe(1), { interval: 1 });
    // Encoded while the stream is going: they must not overwrite the streaming response's tail.
    c.socket.write(Buffer.concat([frame(KEY.SLEEP, 0, 2, [0, 2]), frame(KEY.BIG, 0, 3, [0, 3, 600]), frame(KEY.STREAM, 0, 4, [-1, 4, 100]), frame(KEY.SLEEP, 0, 5, [5, 5])]));
    const rs = await c.waitFor(5, 20_000);
    expect(rs.map(corr)).toEqual([1, 2, 3, 4, 5]);
    checkStreamed(rs[0], 1, size);
    expect(rs[1].readInt32BE(4)).toBe(2);
    expect(rs[2].length).toBe(8 + 600);
    checkStreamed(rs[3], 4, 100);
    expect(rs[4].readInt32BE(4)).toBe(5);
    const [conn] = server.connections();
    expect(conn.streamedResponses).toBe(2);
    expect(streamStats.released - released).toBe(2);
    expect(streamStats.spans.at(-2)!.reads).toBe(25); // ceil(size / piece)
  });

  it('closes the connection when a deferred read fails, gives the response back once, and other connections go on', async () => {
    const { port } = await setup();
    const released = streamStats.released;
    const a = await client(port);
    const b = await client(port);
    const size = 4 * STREAM_PIECE_BYTES;
    a.socket.write(Buffer.concat([frame(KEY.STREAM, 0, 1, [2 * STREAM_PIECE_BYTES + 10, 1, size]), frame(KEY.SLEEP, 0, 2, [0, 2])]));
    await a.closed;
    expect(a.responses.length).toBe(0); // the size was sent, the bytes never completed
    await vi.waitFor(() => expect(streamStats.released - released).toBe(1));
    b.socket.write(frame(KEY.STREAM, 0, 7, [-1, 7, size]));
    const [r] = await b.waitFor(1, 10_000);
    checkStreamed(r, 7, size);
    await sleep(50);
    expect(streamStats.released - released).toBe(2);
  });

  it('gives the response back when the client goes away in the middle of a stream', async () => {
    const { server, port } = await setup();
    const released = streamStats.released;
    const c = await client(port);
    c.socket.pause(); // stops reading: the stream stalls once the socket buffers are full
    const size = 256 * STREAM_PIECE_BYTES;
    c.socket.write(frame(KEY.STREAM, 0, 1, [-1, 1, size]));
    await vi.waitFor(() => expect(server.connections()[0]?.streamedResponses).toBe(1));
    await sleep(100);
    const span = streamStats.spans.at(-1)!;
    expect(span.reads).toBeLessThan(256); // stalled, not read to the end
    expect(streamStats.released - released).toBe(0);
    c.socket.destroy();
    await vi.waitFor(() => expect(streamStats.released - released).toBe(1));
    await vi.waitFor(() => expect(server.connections().length).toBe(0));
  });

  it('gives back responses that were ready but never written when the connection closes', async () => {
    const { server, port } = await setup();
    const released = streamStats.released;
    const c = await client(port);
    c.socket.pause();
    const size = 256 * STREAM_PIECE_BYTES;
    // The first streams and stalls; the second is encoded and waits behind it.
    c.socket.write(Buffer.concat([frame(KEY.STREAM, 0, 1, [-1, 1, size]), frame(KEY.STREAM, 0, 2, [-1, 2, size])]));
    await vi.waitFor(() => expect(streamStats.spans.length).toBeGreaterThan(0));
    await sleep(100);
    expect(server.connections()[0].inFlight).toBe(1);
    c.socket.destroy();
    await vi.waitFor(() => expect(streamStats.released - released).toBe(2));
  });
});

/** cc and Node's headers, which src/server/native/build.mjs needs. */
function canBuildNative(): boolean {
  if (process.platform !== 'linux' || !nodeHeaders()) return false;
  try {
    execFileSync(process.env.CC || 'cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('file spans sent by sendfile (the native helper)', () => {
  const native = nativeSendfile() !== null;

  it.skipIf(!canBuildNative())('the helper is built and loads where a C compiler and Node headers are (npm test builds it)', () => {
    expect(native).toBe(true);
    expect(nativeHelper('setSocketBuffer')).not.toBeNull();
    expect(nativeHelper('getSocketBuffer')).not.toBeNull();
    expect(nativeHelper('unsentBytes')).not.toBeNull();
  });

  it.skipIf(nativeHelper('setSocketBuffer') === null || nativeHelper('getSocketBuffer') === null)("sets each connection's SO_SNDBUF and SO_RCVBUF from socket.send/receive.buffer.bytes; -1 keeps the system's", async () => {
    const sized = await setup({ sendBufferBytes: 65536, receiveBufferBytes: 49152 });
    const plain = await setup({ sendBufferBytes: -1, receiveBufferBytes: -1 });
    await client(sized.port);
    await client(plain.port);
    await vi.waitFor(() => expect(sized.server.connections().length + plain.server.connections().length).toBe(2));
    // Linux holds twice the size asked for (half of it for its own bookkeeping).
    expect(sized.server.connections()[0].socketBuffers()).toEqual({ send: 2 * 65536, receive: 2 * 49152 });
    const system = plain.server.connections()[0].socketBuffers()!;
    expect(system.send).toBeGreaterThan(0);
    expect(system.send).not.toBe(2 * 65536);
    expect(system.receive).not.toBe(2 * 49152);
  });

  const variants = [
    { sendfile: true, sendBufferBytes: -1, name: 'sendfile where built' },
    { sendfile: true, sendBufferBytes: 102400, name: "sendfile where built, Kafka's 100 KiB send buffer" },
    { sendfile: false, sendBufferBytes: -1, name: 'sendfile off: read and written' },
  ];
  for (const { sendfile, sendBufferBytes, name } of variants) {
    it(`streams a file span intact and in order with the responses around it (${name})`, async () => {
      const { server, port } = await setup({ sendfile, sendBufferBytes });
      const released = streamStats.released;
      const c = await client(port);
      const size = 24 * STREAM_PIECE_BYTES + 12345;
      expect(size).toBeLessThan(PATTERN_FILE_BYTES);
      // The client does not read at first: the big response before the span is still queued in the
      // socket when the span's turn comes, and the span must not overtake it.
      c.socket.pause();
      const big = 8 * 1024 * 1024;
      c.socket.write(Buffer.concat([frame(KEY.BIG, 0, 1, [0, 1, big]), frame(KEY.STREAM, 0, 2, [-2, 2, size]), frame(KEY.BIG, 0, 3, [0, 3, 600])]));
      await vi.waitFor(() => expect(server.connections()[0]?.streamedResponses).toBe(1), { interval: 1 });
      await sleep(50);
      c.socket.resume();
      c.socket.write(Buffer.concat([frame(KEY.STREAM, 0, 4, [-2, 4, 100]), frame(KEY.SLEEP, 0, 5, [5, 5])]));
      const rs = await c.waitFor(5, 20_000);
      expect(rs.map(corr)).toEqual([1, 2, 3, 4, 5]);
      expect(rs[0].length).toBe(8 + big);
      expect(rs[0].subarray(8).every((b) => b === 7)).toBe(true);
      checkStreamed(rs[1], 2, size);
      expect(rs[2].length).toBe(8 + 600);
      checkStreamed(rs[3], 4, 100);
      const [conn] = server.connections();
      const viaSendfile = sendfile && native;
      const spans = streamStats.spans.slice(-2);
      if (viaSendfile) {
        // By sendfile, but for a piece read and written whenever the socket stayed full for a whole job.
        expect(conn.sentfileBytes).toBeGreaterThan(0);
        expect(spans[0].reads + spans[1].reads).toBe(conn.sentfileWaits);
      } else {
        expect(conn.sentfileBytes).toBe(0);
        expect(spans.map((sp) => sp.reads)).toEqual([25, 1]);
      }
      expect(streamStats.released - released).toBe(2);
    });
  }

  it('a client that stops reading stalls the stream without holding a pool thread; when it goes away the response is given back and other clients go on', async () => {
    const { server, port } = await setup();
    const released = streamStats.released;
    const slow = await client(port);
    slow.socket.pause();
    const size = 512 * STREAM_PIECE_BYTES; // sparse beyond the pattern: zeros
    slow.socket.write(frame(KEY.STREAM, 0, 1, [-2, 1, size]));
    await vi.waitFor(() => expect(server.connections()[0]?.streamedResponses).toBe(1));
    await sleep(150);
    const [conn] = server.connections();
    if (native) {
      expect(conn.sentfileBytes).toBeGreaterThan(0);
      // Once a job found the socket full for its whole wait, the stream waits in a write, off the pool.
      expect(conn.sentfileWaits).toBe(1);
      const busy: number[] = [];
      for (let i = 0; i < 20; i++, await sleep(10)) busy.push(conn.sendfileJobs);
      expect(busy.every((n) => n === 0)).toBe(true);
    }
    expect(conn.sentfileBytes).toBeLessThan(size); // stalled, not sent to the end
    expect(streamStats.released - released).toBe(0);
    // Meanwhile another connection is served in full.
    const other = await client(port);
    other.socket.write(frame(KEY.STREAM, 0, 7, [-2, 7, 3 * STREAM_PIECE_BYTES]));
    const [r] = await other.waitFor(1, 10_000);
    checkStreamed(r, 7, 3 * STREAM_PIECE_BYTES);
    slow.socket.destroy();
    await vi.waitFor(() => expect(streamStats.released - released).toBe(2));
    await vi.waitFor(() => expect(server.connections().length).toBe(1));
    expect(other.isClosed()).toBe(false);
  });

  it.skipIf(!native)('a sendfile stream that keeps moving outlasts connections.max.idle.ms; one that stalls is closed by it', async () => {
    const { server, port } = await setup({ idleMs: 300 });
    const c = await client(port);
    const size = 768 * STREAM_PIECE_BYTES; // mostly the sparse part of the file: content not checked
    // The client reads in short bursts with long gaps, for four idle periods.
    c.socket.pause();
    c.socket.write(frame(KEY.STREAM, 0, 1, [-2, 1, size]));
    await vi.waitFor(() => expect(server.connections()[0]?.sentfileBytes).toBeGreaterThan(0));
    const conn = server.connections()[0];
    const seen: number[] = [];
    for (let t0 = Date.now(); Date.now() - t0 < 1200; ) {
      await sleep(150);
      c.socket.resume();
      await sleep(1);
      c.socket.pause();
      seen.push(conn.sentfileBytes);
    }
    expect(c.isClosed()).toBe(false);
    expect(conn.isClosed).toBe(false);
    expect(seen.at(-1)!).toBeGreaterThan(seen[0]); // it moved
    expect(seen.at(-1)!).toBeLessThan(size); // and is not done
    c.socket.destroy();
    await vi.waitFor(() => expect(server.connections().length).toBe(0));
    // A client that never reads: the stream stalls, and the idle time ends the connection and
    // gives the response back (the client, paused, does not even see the close).
    const released = streamStats.released;
    const d = await client(port);
    d.socket.pause();
    d.socket.write(frame(KEY.STREAM, 0, 2, [-2, 2, size]));
    await vi.waitFor(() => expect(server.connections()[0]?.sentfileBytes).toBeGreaterThan(0));
    const t1 = Date.now();
    await vi.waitFor(() => expect(server.connections().length).toBe(0), { timeout: 5000 });
    expect(Date.now() - t1).toBeGreaterThanOrEqual(250);
    // A write still waiting in the socket ends when the close destroys it (at most a second later).
    await vi.waitFor(() => expect(streamStats.released - released).toBe(1), { timeout: 3000 });
    d.socket.destroy();
  }, 30_000);
});
