/** Runtime helpers of the generated codecs: picking the per-version function. */
import { DecodeError, type Reader } from './reader.js';

type Decode<T> = (r: Reader) => T;

/** Decodes with the function generated for version v, then throws if any read failed. */
export function decodeAt<T>(table: readonly (Decode<T> | undefined)[], lo: number, v: number, r: Reader, name: string): T {
  const f = table[v - lo];
  if (f === undefined) throw new DecodeError(`${name} version ${v} is not supported`);
  const m = f(r);
  r.check();
  return m;
}

/** The encode or size function generated for version v. */
export function atVersion<F>(table: readonly (F | undefined)[], lo: number, v: number, name: string): F {
  const f = table[v - lo];
  if (f === undefined) throw new Error(`${name} version ${v} is not supported`);
  return f;
}
