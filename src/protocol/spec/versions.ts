import { NONE, OPEN, type Versions } from './ast.js';

/** Parses Kafka's version syntax: "none", "3", "0-7", "12+". */
export function parseVersions(text: string): Versions {
  const s = text.trim();
  if (s === 'none') return NONE;
  let m = /^(\d+)\+$/.exec(s);
  if (m) return { lo: Number(m[1]), hi: OPEN };
  m = /^(\d+)-(\d+)$/.exec(s);
  if (m) return { lo: Number(m[1]), hi: Number(m[2]) };
  m = /^(\d+)$/.exec(s);
  if (m) return { lo: Number(m[1]), hi: Number(m[1]) };
  throw new Error(`bad version range "${text}"`);
}

export function formatVersions(v: Versions): string {
  if (isEmpty(v)) return 'none';
  if (v.hi >= OPEN) return `${v.lo}+`;
  if (v.lo === v.hi) return `${v.lo}`;
  return `${v.lo}-${v.hi}`;
}

export function isEmpty(v: Versions): boolean {
  return v.lo > v.hi;
}

export function contains(v: Versions, version: number): boolean {
  return version >= v.lo && version <= v.hi;
}

export function sameVersions(a: Versions, b: Versions): boolean {
  return (isEmpty(a) && isEmpty(b)) || (a.lo === b.lo && a.hi === b.hi);
}

/** Intersection of two ranges (empty if they do not overlap). */
export function intersect(a: Versions, b: Versions): Versions {
  const lo = Math.max(a.lo, b.lo);
  const hi = Math.min(a.hi, b.hi);
  return lo > hi ? NONE : { lo, hi };
}
