import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  CompressionCodec, CompressionError, compress, decompress, isXerialSnappy, lz4Compress, lz4DecompressPortable, xxhash32,
} from '../../src/protocol/compression/index.js';

const require = createRequire(import.meta.url);
const kafkajsGzip = require('kafkajs/src/protocol/message/compression/gzip.js');
const FIX = join(import.meta.dirname, '../fixtures/compression');
const fixture = (name: string) => readFileSync(join(FIX, name));
const payload = fixture('payload.bin');
const MB = 1 << 20;
const { NONE, GZIP, SNAPPY, LZ4, ZSTD } = CompressionCodec;

/** Buffer.equals: vitest's deep toEqual walks buffers byte by byte and takes seconds on 100 KiB. */
const same = (a: Buffer, b: Buffer) => expect(a.equals(b), `${a.length} bytes vs ${b.length}`).toBe(true);
const has = (cmd: string, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const pipe = (cmd: string, args: string[], input: Buffer) => {
  const r = spawnSync(cmd, args, { input, maxBuffer: 64 * MB });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return r.stdout;
};
const hasPython = spawnSync('python3', ['-c', 'import snappy'], { stdio: 'ignore' }).status === 0;
const JAR = process.env.SNAPPY_JAVA_JAR ?? join(homedir(), '.m2/repository/org/xerial/snappy/snappy-java/1.1.10.7/snappy-java-1.1.10.7.jar');
const hasJava = existsSync(JAR) && has('java', ['-version']);

describe('round trips', () => {
  const inputs = [Buffer.alloc(0), Buffer.from('a'), payload, Buffer.alloc(300_000, 7)];
  for (const codec of [NONE, GZIP, SNAPPY, LZ4, ZSTD]) {
    it(`codec ${codec}`, () => {
      for (const input of inputs) same(decompress(codec, compress(codec, input), 4 * MB), input);
    });
  }
  it('snappy raw and xerial framings both read back', () => {
    const xerial = compress(SNAPPY, payload);
    const raw = compress(SNAPPY, payload, { snappyFraming: 'raw' });
    expect(isXerialSnappy(xerial)).toBe(true);
    expect(isXerialSnappy(raw)).toBe(false);
    same(decompress(SNAPPY, raw, MB), payload);
  });
  it('lz4 with the KAFKA-3160 header checksum (magic 0) reads back', () => {
    const broken = lz4Compress(payload, true);
    const proper = lz4Compress(payload);
    expect(broken[6]).toBe((xxhash32(broken, 0, 6) >>> 8) & 0xff);
    expect(broken[6]).not.toBe(proper[6]);
    same(decompress(LZ4, broken, MB), payload);
    same(lz4DecompressPortable(broken, MB), payload);
  });
  it('xxhash32 known values', () => {
    expect(xxhash32(Buffer.alloc(0))).toBe(0x02cc5d05);
    expect(xxhash32(Buffer.from('abc'))).toBe(0x32d153ff);
  });
  it('unknown codec is a CompressionError', () => {
    expect(() => decompress(6, payload, MB)).toThrow(CompressionError);
    expect(() => compress(5, payload)).toThrow(CompressionError);
  });
});

describe('other implementations → ours (committed fixtures, see fixtures/compression/generate.sh)', () => {
  const cases: Array<[string, number]> = [
    ['payload.gzip-cli.gz', GZIP], ['payload.python.gz', GZIP],
    ['payload.python-snappy.raw.snappy', SNAPPY], ['payload.snappy-java.xerial.snappy', SNAPPY],
    ['payload.lz4-cli.lz4', LZ4], ['payload.lz4-cli-linked.lz4', LZ4], ['payload.python-lz4.lz4', LZ4],
    ['payload.zstd-cli.zst', ZSTD], ['payload.zstd-cli-stdin.zst', ZSTD], ['payload.python-zstd.zst', ZSTD],
  ];
  for (const [name, codec] of cases) {
    it(name, () => same(decompress(codec, fixture(name), MB), payload));
  }
  it('lz4 fixtures through the portable decoder too (linked blocks, 4 MiB blocks, content checksum)', () => {
    for (const name of ['payload.lz4-cli.lz4', 'payload.lz4-cli-linked.lz4', 'payload.python-lz4.lz4']) {
      same(lz4DecompressPortable(fixture(name), MB), payload);
    }
  });
  it('kafkajs gzip codec', async () => {
    const theirs: Buffer = await kafkajsGzip.compress({ buffer: payload });
    same(decompress(GZIP, theirs, MB), payload);
    same(await kafkajsGzip.decompress(compress(GZIP, payload)), payload);
  });
});

describe('ours → other implementations', () => {
  it.skipIf(!has('gzip'))('gzip CLI', () => same(pipe('gzip', ['-dc'], compress(GZIP, payload)), payload));
  it.skipIf(!has('lz4'))('lz4 CLI', () => {
    same(pipe('lz4', ['-dc'], compress(LZ4, payload)), payload);
  });
  it.skipIf(!has('zstd'))('zstd CLI', () => same(pipe('zstd', ['-dc'], compress(ZSTD, payload)), payload));
  it.skipIf(!hasPython)('python-snappy reads our raw snappy', () => {
    const raw = compress(SNAPPY, payload, { snappyFraming: 'raw' });
    same(pipe('python3', ['-c', 'import sys,snappy; sys.stdout.buffer.write(snappy.decompress(sys.stdin.buffer.read()))'], raw), payload);
  });
  it.skipIf(!hasJava)('snappy-java reads our xerial and raw snappy', () => {
    for (const framing of ['xerial', 'raw'] as const) {
      const out = pipe('bash', ['-c', `t=$(mktemp); o=$(mktemp); cat > $t; java -cp ${JAR} ${join(FIX, 'Gen.java')} -d $t $o && cat $o; rm -f $t $o`],
        compress(SNAPPY, payload, { snappyFraming: framing }));
      same(out, payload);
    }
  }, 30_000);
});

describe('decompression bombs fail cleanly and quickly', () => {
  const expectLimit = (fn: () => unknown) => {
    const t0 = performance.now();
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CompressionError);
    expect((err as CompressionError).reason).toBe('limit');
    expect(performance.now() - t0).toBeLessThan(1000);
  };
  it('real bombs from other implementations', () => {
    expectLimit(() => decompress(GZIP, fixture('bomb-16m.gz'), MB));
    expectLimit(() => decompress(LZ4, fixture('bomb-16m-nosize.lz4'), MB));
    expectLimit(() => decompress(ZSTD, fixture('bomb-16m-nosize.zst'), MB));
    expectLimit(() => decompress(SNAPPY, fixture('bomb-1m.raw.snappy'), 256 << 10));
    expectLimit(() => decompress(SNAPPY, fixture('bomb-1m.xerial.snappy'), 256 << 10));
  });
  it('headers claiming huge sizes are refused before allocating', () => {
    // Raw snappy claiming 4 GiB - 1, and a xerial chunk doing the same.
    expectLimit(() => decompress(SNAPPY, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]), MB));
    const xerial = compress(SNAPPY, Buffer.from('x'));
    const claim = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]);
    const lenField = Buffer.alloc(4);
    lenField.writeInt32BE(claim.length);
    expectLimit(() => decompress(SNAPPY, Buffer.concat([xerial.subarray(0, 16), lenField, claim]), MB));
    // zstd frame declaring 1 TiB (our compressor writes the content size; patch a big one in).
    expectLimit(() => decompress(ZSTD, compress(ZSTD, Buffer.alloc(2 * MB)), MB));
    // lz4 frame with a content size field (python-lz4 fixture) under a smaller limit.
    expectLimit(() => decompress(LZ4, fixture('payload.python-lz4.lz4'), 64 << 10));
  });
  it('a limit just above the real size passes, just below fails', () => {
    for (const codec of [GZIP, SNAPPY, LZ4, ZSTD]) {
      const c = compress(codec, payload);
      same(decompress(codec, c, payload.length), payload);
      expectLimit(() => decompress(codec, c, payload.length - 1));
    }
  });
});
