import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/protocol/primitives/buffer-pool.js';
import { FrameError, Framer } from '../../src/server/framer.js';

const sized = (payload: Buffer) => {
  const head = Buffer.alloc(4);
  head.writeInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
};
const pattern = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

describe('Framer', () => {
  it('copies frames out of a read buffer that is reused right after', () => {
    const readBuffer = Buffer.concat([sized(Buffer.from('abc')), sized(pattern(10_000, 1)), sized(Buffer.from('de'))]);
    const f = new Framer(1 << 20, new BufferPool());
    f.received(readBuffer, readBuffer.length);
    readBuffer.fill(0); // the next read lands in the same buffer
    expect(f.next()!.toString()).toBe('abc');
    const big = f.next()!;
    expect(big.equals(pattern(10_000, 1))).toBe(true);
    expect(big.byteOffset).toBe(0); // a pooled buffer of its own
    expect(f.next()!.toString()).toBe('de');
    expect(f.next()).toBeNull();
    expect(f.bufferedBytes).toBe(0);
  });

  it('lets the socket read the rest of a large frame straight into it', () => {
    const pool = new BufferPool();
    const f = new Framer(1 << 20, pool);
    const payload = pattern(200_000, 3);
    const bytes = sized(payload);
    const first = Buffer.alloc(65536);
    bytes.copy(first, 0, 0, 1000);
    expect(f.readTarget()).toBeNull(); // nothing pending: the shared read buffer
    f.received(first, 1000);
    let at = 1000;
    let reads = 0;
    let memory: ArrayBufferLike | null = null;
    for (let target = f.readTarget(); target !== null; target = f.readTarget()) {
      expect(target.length).toBe(bytes.length - at); // exactly the rest: no read goes past the frame
      memory = target.buffer;
      const n = Math.min(target.length, 70_000);
      bytes.copy(target, 0, at, at + n); // what the kernel would do
      f.received(target, n);
      at += n;
      reads++;
    }
    expect(reads).toBe(3); // 70,000 + 70,000 + the last 59,004 bytes, all into the frame itself
    const frame = f.next()!;
    expect(frame.equals(payload)).toBe(true);
    expect(frame.buffer).toBe(memory);
    expect(pool.taken).toBe(1);
  });

  it('assembles frames arriving one byte at a time', () => {
    const bytes = Buffer.concat([sized(Buffer.from('hello')), sized(Buffer.alloc(0)), sized(pattern(5000, 2)), sized(Buffer.from('x'))]);
    const f = new Framer(100_000);
    const out: Buffer[] = [];
    for (const b of bytes) {
      f.push(Buffer.from([b]));
      for (let fr = f.next(); fr; fr = f.next()) out.push(fr);
    }
    expect(out.map((b) => b.length)).toEqual([5, 0, 5000, 1]);
    expect(out[0].toString()).toBe('hello');
    expect(out[2].equals(pattern(5000, 2))).toBe(true);
  });

  it('grows a frame over 4 MiB as its bytes arrive instead of committing its size at the header', () => {
    const f = new Framer(16 * 1024 * 1024);
    const payload = pattern(6 * 1024 * 1024 + 5, 9);
    const bytes = sized(payload);
    f.push(bytes.subarray(0, 4));
    expect(f.readTarget()).toBeNull(); // a header alone gets no 6 MiB buffer to read into
    for (let at = 4; at < bytes.length; at += 65536) f.push(bytes.subarray(at, at + 65536));
    expect(f.next()!.equals(payload)).toBe(true);
  });

  it('rejects negative and oversized sizes, after the frames that came before them', () => {
    const neg = new Framer(100);
    neg.push(Buffer.concat([sized(Buffer.from('ok')), Buffer.from([0xff, 0xff, 0xff, 0xfe, 1, 2, 3])]));
    expect(neg.next()!.toString()).toBe('ok');
    expect(() => neg.next()).toThrow(FrameError);
    const big = new Framer(100);
    big.push(Buffer.from([0, 0, 0, 101]));
    expect(() => big.next()).toThrow(/socket.request.max.bytes/);
    const ok = new Framer(100);
    ok.push(Buffer.from([0, 0, 0, 100]));
    expect(ok.next()).toBeNull();
  });
});
