/**
 * Random bytes and mutated valid encodings fed to every request and response decoder at
 * every version: only DecodeError may escape, each decode is quick, and a short input
 * claiming an enormous array fails before allocating.
 */
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { API_CODECS } from '../../src/protocol/generated/index.js';
import { DecodeError, Reader, Writer } from '../../src/protocol/primitives/index.js';
import { decodeRequestFrame } from '../../src/protocol/headers.js';
import { loadSpecDir } from '../../src/protocol/spec/load.js';
import { ValueGen, rng } from './codec-values.js';

const specs = loadSpecDir(resolve(__dirname, '../../protocol-specs'));
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const HANG_MS = 2_000;

type Decode = (r: Reader, v: number) => unknown;

function onlyDecodeErrors(decode: Decode, v: number, input: Uint8Array): void {
  const t = performance.now();
  try {
    decode(new Reader(Buffer.from(input.buffer, input.byteOffset, input.byteLength)), v);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw new Error(`escaped ${(e as Error).name}: ${(e as Error).message}`);
  }
  // A hang guard, not a speed target (those live in bench/): a decoder that loops on bad input
  // takes far longer than this even on a loaded CI machine.
  const ms = performance.now() - t;
  if (ms > HANG_MS) throw new Error(`decode took ${ms.toFixed(0)} ms`);
}

/** Mutations of a valid encoding: flip, overwrite with extreme bytes, truncate, insert. */
const mutation = (valid: Buffer) =>
  fc
    .array(
      fc.record({
        kind: fc.constantFrom('flip', 'ff', '7f', '00', 'truncate', 'insert'),
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
      { minLength: 1, maxLength: 4 },
    )
    .map((ops) => {
      let b = Buffer.from(valid);
      for (const op of ops) {
        if (b.length === 0) break;
        const i = op.at % b.length;
        if (op.kind === 'flip') b[i] ^= 1 << op.byte % 8;
        else if (op.kind === 'ff') b[i] = 0xff;
        else if (op.kind === '7f') b[i] = 0x7f;
        else if (op.kind === '00') b[i] = 0;
        else if (op.kind === 'truncate') b = b.subarray(0, i);
        else b = Buffer.concat([b.subarray(0, i), Buffer.from([op.byte]), b.subarray(i)]);
      }
      return new Uint8Array(b);
    });

describe('decoder fuzzing', () => {
  let decoders = 0;
  for (const spec of specs) {
    if (spec.apiKey === undefined) continue;
    const api = API_CODECS.get(spec.apiKey)!;
    for (const msg of spec.messages) {
      const decode: Decode = msg.kind === 'request' ? api.decodeRequest : api.decodeResponse;
      const encode = msg.kind === 'request' ? api.encodeRequest : api.encodeResponse;
      it(`${msg.name}: random and mutated input`, () => {
        for (let v = msg.validVersions.lo; v <= msg.validVersions.hi; v++) {
          decoders++;
          fc.assert(
            fc.property(fc.uint8Array({ maxLength: 96 }), (input) => onlyDecodeErrors(decode, v, input)),
            { numRuns: RUNS, seed: spec.apiKey! * 100 + v },
          );
          const gen = new ValueGen(msg, rng(v + 31 * spec.apiKey!));
          const w = new Writer();
          encode(w, v, gen.message(v) as never);
          const valid = w.toBuffer();
          fc.assert(
            fc.property(mutation(valid), (input) => onlyDecodeErrors(decode, v, input)),
            { numRuns: RUNS, seed: spec.apiKey! * 100 + v + 1 },
          );
        }
      });
    }
  }

  it('covered every request and response decoder', () => {
    console.log(`fuzz: ${decoders} decoders × ${RUNS * 2} inputs`);
    expect(decoders).toBeGreaterThan(600);
  });

  it('a 10-byte input claiming 2^31 array elements fails fast without allocating', () => {
    const metadata = API_CODECS.get(3)!;
    const input = Buffer.from('7fffffff' + '0000000000ff', 'hex');
    const before = process.memoryUsage().heapUsed;
    const t = performance.now();
    expect(() => metadata.decodeRequest(new Reader(input), 1)).toThrow(DecodeError);
    expect(performance.now() - t).toBeLessThan(HANG_MS); // fails at once: no loop over 2^31 elements
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 << 20);
    // Compact form: an unsigned varint of 2^32-1.
    expect(() => metadata.decodeRequest(new Reader(Buffer.from('ffffffff0f0000000000', 'hex')), 12)).toThrow(DecodeError);
  });

  it('frames: unknown API keys, bad versions and short frames are DecodeErrors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (input) => {
        try {
          decodeRequestFrame(Buffer.from(input));
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
