import { describe, expect, it } from 'vitest';
import { FrameError, Framer } from '../../src/server/framer.js';

const sized = (payload: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, payload.length]), payload]);

describe('Framer', () => {
  it('returns a frame inside one chunk as a view, without copying', () => {
    const chunk = Buffer.concat([sized(Buffer.from('abc')), sized(Buffer.from('de'))]);
    const f = new Framer(100);
    f.push(chunk);
    const a = f.next()!;
    expect(a.toString()).toBe('abc');
    expect(a.buffer).toBe(chunk.buffer);
    expect(f.next()!.toString()).toBe('de');
    expect(f.next()).toBeNull();
    expect(f.bufferedBytes).toBe(0);
  });

  it('assembles a frame arriving one byte at a time', () => {
    const bytes = Buffer.concat([sized(Buffer.from('hello')), sized(Buffer.alloc(0)), sized(Buffer.from('x'))]);
    const f = new Framer(100);
    const out: string[] = [];
    for (const b of bytes) {
      f.push(Buffer.from([b]));
      for (let fr = f.next(); fr; fr = f.next()) out.push(fr.toString());
    }
    // The empty frame is returned as an empty buffer, which is falsy for the loop above only if null.
    expect(out).toEqual(['hello', '', 'x']);
  });

  it('rejects negative and oversized sizes', () => {
    const neg = new Framer(100);
    neg.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    expect(() => neg.next()).toThrow(FrameError);
    const big = new Framer(100);
    big.push(Buffer.from([0, 0, 0, 101]));
    expect(() => big.next()).toThrow(/socket.request.max.bytes/);
    const ok = new Framer(100);
    ok.push(Buffer.from([0, 0, 0, 100]));
    expect(ok.next()).toBeNull();
  });
});
