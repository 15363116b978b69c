/**
 * Every message at every valid version: decode(encode(x)) deep-equals x, size() equals the
 * bytes written, and re-encoding the decoded value gives the same bytes.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_CODECS } from '../../src/protocol/generated/index.js';
import * as generated from '../../src/protocol/generated/index.js';
import { Reader, Writer, type MessageCodec } from '../../src/protocol/primitives/index.js';
import { loadSpecDir } from '../../src/protocol/spec/load.js';
import { ValueGen, rng } from './codec-values.js';

const specs = loadSpecDir(resolve(__dirname, '../../protocol-specs'));
const SAMPLES = Number(process.env.CODEC_SAMPLES ?? 12);

interface Coder {
  encode(w: Writer, v: number, m: unknown): void;
  size(v: number, m: unknown): number;
  decode(r: Reader, v: number): unknown;
}

function roundTrip(c: Coder, v: number, value: unknown, what: string): void {
  const w = new Writer(64);
  c.encode(w, v, value);
  const written = w.length;
  const bytes = w.toBuffer();
  expect(bytes.length, what).toBe(written);
  expect(c.size(v, value), `${what}: size()`).toBe(written);
  const r = new Reader(bytes);
  const decoded = c.decode(r, v);
  expect(r.remaining, `${what}: trailing bytes`).toBe(0);
  expect(decoded, what).toEqual(value);
  const again = new Writer(64);
  c.encode(again, v, decoded);
  expect(again.toBuffer().equals(bytes), `${what}: re-encoding`).toBe(true);
}

describe('generated codec round trip', () => {
  let pairs = 0;
  for (const spec of specs) {
    for (const msg of spec.messages) {
      let coder: Coder;
      if (spec.apiKey !== undefined) {
        const api = API_CODECS.get(spec.apiKey)!;
        coder =
          msg.kind === 'request'
            ? { encode: api.encodeRequest, size: api.sizeRequest, decode: api.decodeRequest }
            : { encode: api.encodeResponse, size: api.sizeResponse, decode: api.decodeResponse };
      } else {
        const mc = (generated as unknown as Record<string, MessageCodec<unknown>>)[`${msg.name}Codec`];
        coder = { encode: mc.encode, size: mc.size, decode: mc.decode };
      }
      it(`${msg.name} v${msg.validVersions.lo}-${msg.validVersions.hi}`, () => {
        for (let v = msg.validVersions.lo; v <= msg.validVersions.hi; v++) {
          pairs++;
          const gen = new ValueGen(msg, rng((spec.apiKey ?? 100) * 1000 + v * 7919 + (msg.kind === 'response' ? 1 : 0)));
          for (let i = 0; i < SAMPLES; i++) roundTrip(coder, v, gen.message(v), `${msg.name} v${v} #${i}`);
          // An empty Init encodes every field's default and decodes back to a complete object.
          const w = new Writer();
          coder.encode(w, v, {});
          const b = w.toBuffer();
          expect(coder.size(v, {}), `${msg.name} v${v} defaults size`).toBe(b.length);
          roundTrip(coder, v, coder.decode(new Reader(b), v), `${msg.name} v${v} defaults`);
        }
      });
    }
  }

  it('covered every API × version (requests and responses)', () => {
    let expected = 0;
    for (const s of specs) for (const m of s.messages) expected += m.validVersions.hi - m.validVersions.lo + 1;
    console.log(`round trip: ${pairs} message versions (${API_CODECS.size} APIs), ${SAMPLES} samples each`);
    expect(pairs).toBe(expected);
    expect(API_CODECS.size).toBe(specs.filter((s) => s.apiKey !== undefined).length);
  });
});
