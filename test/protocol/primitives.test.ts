import { describe, expect, it } from 'vitest';
import { Heartbeat, ResponseHeaderCodec } from '../../src/protocol/generated/index.js';
import {
  DecodeError, Reader, Writer, ZERO_UUID, sizeOfCompactNullableString, sizeOfUvarint, sizeOfVarint, sizeOfVarlong,
} from '../../src/protocol/primitives/index.js';

const hex = (w: Writer) => w.toBuffer().toString('hex');
const reader = (h: string) => new Reader(Buffer.from(h, 'hex'));

describe('varints', () => {
  it.each([
    [0, '00'], [1, '01'], [127, '7f'], [128, '8001'], [300, 'ac02'], [16383, 'ff7f'], [16384, '808001'],
    [0x7fffffff, 'ffffffff07'], [0xffffffff, 'ffffffff0f'],
  ])('unsigned %d ⇄ %s', (v, h) => {
    const w = new Writer();
    w.uvarint(v);
    expect(hex(w)).toBe(h);
    expect(sizeOfUvarint(v)).toBe(h.length / 2);
    expect(reader(h).uvarint()).toBe(v);
  });

  it.each([
    [0, '00'], [-1, '01'], [1, '02'], [-64, '7f'], [64, '8001'], [2147483647, 'feffffff0f'], [-2147483648, 'ffffffff0f'],
  ])('zigzag %d ⇄ %s', (v, h) => {
    const w = new Writer();
    w.varint(v);
    expect(hex(w)).toBe(h);
    expect(sizeOfVarint(v)).toBe(h.length / 2);
    expect(reader(h).varint()).toBe(v);
  });

  it.each([
    [0n, '00'], [-1n, '01'], [1n, '02'], [2n ** 63n - 1n, 'feffffffffffffffff01'], [-(2n ** 63n), 'ffffffffffffffffff01'],
  ])('zigzag varlong %s ⇄ %s', (v, h) => {
    const w = new Writer();
    w.varlong(v);
    expect(hex(w)).toBe(h);
    expect(sizeOfVarlong(v)).toBe(h.length / 2);
    expect(reader(h).varlong()).toBe(v);
  });

  it('rejects varints that are too long or truncated', () => {
    for (const h of ['ffffffff10', 'ffffffffff01', '80', '', 'ffffffffffffffffff02']) {
      const r = reader(h);
      if (h.length === 20) r.varlong();
      else r.uvarint();
      expect(r.err, h).not.toBeNull();
      expect(() => r.check()).toThrow(DecodeError);
    }
  });
});

describe('strings, bytes, arrays', () => {
  it('encodes null and empty in each form', () => {
    const w = new Writer();
    w.nullableString(null);
    w.string('');
    w.compactNullableString(null);
    w.compactString('');
    w.compactString('a');
    w.nullableBytes(null);
    w.compactNullableBytes(null);
    w.compactBytes(Buffer.from([9]));
    w.nullableArray(null, () => {});
    w.compactNullableArray(null, () => {});
    w.compactArray([], () => {});
    expect(hex(w)).toBe('ffff' + '0000' + '00' + '01' + '0261' + 'ffffffff' + '00' + '0209' + 'ffffffff' + '00' + '01');
    expect(sizeOfCompactNullableString(null)).toBe(1);
    const r = reader('ffff' + '0000' + '00' + '01' + '0261' + 'ffffffff' + '00' + '0209' + 'ffffffff' + '00' + '01');
    expect([r.nullableString(), r.string(), r.compactNullableString(), r.compactString(), r.compactString()]).toEqual([null, '', null, '', 'a']);
    expect([r.nullableBytes(), r.compactNullableBytes(), r.compactBytes()]).toEqual([null, null, Buffer.from([9])]);
    expect(r.nullableArray(4, (x) => x.int32())).toBeNull();
    expect(r.compactNullableArray(4, (x) => x.int32())).toBeNull();
    expect(r.compactArray(4, (x) => x.int32())).toEqual([]);
    expect(r.remaining).toBe(0);
    r.check();
  });

  it('round-trips multi-byte UTF-8', () => {
    const w = new Writer();
    w.compactString('日本🎉é');
    w.string('topic-ü');
    const r = new Reader(w.toBuffer());
    expect(r.compactString()).toBe('日本🎉é');
    expect(r.string()).toBe('topic-ü');
  });

  it('returns bytes as views, not copies', () => {
    const buf = Buffer.from('0000000301020304', 'hex');
    const b = new Reader(buf).bytes();
    expect(b.buffer).toBe(buf.buffer);
    expect(b.byteOffset).toBe(buf.byteOffset + 4);
  });

  it('fails fast on a length it cannot hold, without allocating', () => {
    const r = reader('7fffffff000000000000');
    const t = Date.now();
    expect(r.array(1, (x) => x.int8())).toEqual([]);
    expect(r.err).toMatch(/cannot fit/);
    expect(Date.now() - t).toBeLessThan(50);
    expect(() => r.check()).toThrow(DecodeError);
    const c = reader('ffffffff0f' + '00');
    expect(c.compactArray(1, (x) => x.int8())).toEqual([]);
    expect(reader('7fff61').string()).toBe('');
  });

  it('is sticky: after a failure every read returns a zero value', () => {
    const r = reader('0001');
    expect(r.int32()).toBe(0);
    expect(r.int8()).toBe(0);
    expect(r.int64()).toBe(0n);
    expect(r.string()).toBe('');
    expect(r.uuid()).toBe(ZERO_UUID);
    expect(r.err).toMatch(/int32/);
  });

  it('rejects null where the version does not allow it', () => {
    const r = reader('ffff');
    r.string();
    expect(r.err).toMatch(/null/);
  });
});

describe('uuid', () => {
  it('is 32 lowercase hex chars', () => {
    const w = new Writer();
    w.uuid('0123456789ABCDEF0123456789abcdef');
    const r = new Reader(w.toBuffer());
    expect(r.uuid()).toBe('0123456789abcdef0123456789abcdef');
    expect(() => new Writer().uuid('xyz')).toThrow();
  });
});

describe('tagged fields', () => {
  it('keeps unknown tagged fields and writes them back in tag order', () => {
    // Heartbeat v4: group "g", generation 7, member "m", instance null, then tags 3 and 9 (unknown).
    const body = '0267' + '00000007' + '026d' + '00' + '02' + '0301aa' + '0902bbcc';
    const m = Heartbeat.decodeRequest(reader(body), 4);
    expect(m).toMatchObject({ groupId: 'g', generationId: 7, memberId: 'm', groupInstanceId: null });
    expect(m._unknownTaggedFields).toEqual([
      { tag: 3, data: Buffer.from('aa', 'hex') },
      { tag: 9, data: Buffer.from('bbcc', 'hex') },
    ]);
    const w = new Writer();
    Heartbeat.encodeRequest(w, 4, { ...m, _unknownTaggedFields: [...m._unknownTaggedFields!].reverse() });
    expect(hex(w)).toBe(body);
    expect(Heartbeat.sizeRequest(4, m)).toBe(body.length / 2);
  });

  it('response header v1 carries a tagged-field section', () => {
    const w = new Writer();
    ResponseHeaderCodec.encode(w, 1, { correlationId: 5, _unknownTaggedFields: [{ tag: 0, data: Buffer.from([1]) }] });
    const b = hex(w);
    expect(b).toBe('00000005' + '01' + '000101');
    expect(ResponseHeaderCodec.decode(reader(b), 1)).toEqual({ correlationId: 5, _unknownTaggedFields: [{ tag: 0, data: Buffer.from([1]) }] });
  });

  it('rejects a section claiming more fields than bytes', () => {
    expect(() => Heartbeat.decodeRequest(reader('0267000000070' + '26d00ffffffff0f'), 4)).toThrow(DecodeError);
  });
});

describe('Writer', () => {
  it('appends big buffers by reference and small ones by copy', () => {
    const big = Buffer.alloc(4096, 1);
    const small = Buffer.alloc(10, 2);
    const w = new Writer(64);
    w.int32(1);
    w.raw(big);
    w.raw(small);
    expect(w.length).toBe(4 + 4096 + 10);
    const chunks = w.finish();
    expect(chunks.length).toBe(3);
    expect(chunks[1]).toBe(big);
    expect(Buffer.concat(chunks).length).toBe(4110);
  });

  it('patches a size prefix, even across chunks and growth', () => {
    const w = new Writer(16);
    const p = w.beginSizePrefix();
    w.raw(Buffer.alloc(2000, 7));
    for (let i = 0; i < 100; i++) w.int64(BigInt(i));
    w.endSizePrefix(p);
    const b = w.toBuffer();
    expect(b.readInt32BE(0)).toBe(2000 + 800);
    expect(b.length).toBe(2804);
  });

  it('keeps handed-out chunks intact while it is reused', () => {
    const w = new Writer(32);
    w.int32(0x11111111);
    const first = w.toBuffer();
    for (let i = 0; i < 50; i++) w.int32(0x22222222);
    w.toBuffer();
    expect(first.toString('hex')).toBe('11111111');
    w.reset();
    w.int8(5);
    expect(hex(w)).toBe('05');
  });
});

describe('int64', () => {
  it.each([0n, 1n, -1n, 2n ** 32n, -(2n ** 32n), 2n ** 53n - 1n, -(2n ** 53n) + 1n, 2n ** 53n, -(2n ** 53n), 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 1700000000000n, -4294967297n])(
    '%s round-trips',
    (v) => {
      const w = new Writer();
      w.int64(v);
      const b = w.toBuffer();
      expect(b.readBigInt64BE(0)).toBe(v);
      expect(new Reader(b).int64()).toBe(v);
    },
  );
});
