#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (node --cpu-prof): top functions by self time, and by category.
//   node bench/profile-summarize.mjs <file.cpuprofile> [--top 30] [--from 0.0 --to 1.0]
// --from/--to pick a window of the profile as fractions of its duration (e.g. the consume phase).
import fs from 'node:fs';

const file = process.argv[2];
const arg = (n, d) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const TOP = Number(arg('top', 30));
const FROM = Number(arg('from', 0));
const TO = Number(arg('to', 1));
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const t0 = prof.startTime;
const span = prof.endTime - prof.startTime;
let t = t0;
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i];
  const f = (t - t0) / span;
  if (f < FROM || f > TO) continue;
  const dt = prof.timeDeltas[i + 1] ?? prof.timeDeltas[i];
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
  total += dt;
}
const byFn = new Map();
const byCat = new Map();
for (const [id, us] of self) {
  const n = nodes.get(id);
  const cf = n.callFrame;
  const where = cf.url ? `${cf.url.replace(/^.*\/(dist|src|node_modules)\//, '$1/')}:${cf.lineNumber + 1}` : '';
  const key = `${cf.functionName || '(anon)'} ${where}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  let cat = 'other';
  if (cf.functionName === '(idle)') cat = 'idle';
  else if (cf.functionName === '(garbage collector)') cat = 'gc';
  else if (cf.functionName === '(program)') cat = 'program (native/unattributed)';
  else if (/\/dist\/|\/src\//.test(cf.url)) cat = `brook ${cf.url.replace(/^.*\/(dist|src)\//, '').split('/').slice(0, 2).join('/')}`;
  else if (cf.url.startsWith('node:')) cat = `node ${cf.url.slice(5).split('/')[0]}`;
  else if (cf.url.includes('node_modules')) cat = `npm ${cf.url.split('node_modules/')[1].split('/')[0]}`;
  else if (!cf.url) cat = `native ${cf.functionName}`;
  byCat.set(cat, (byCat.get(cat) ?? 0) + us);
}
const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%';
console.log(`total ${(total / 1e3).toFixed(0)} ms sampled (window ${FROM}-${TO} of ${(span / 1e6).toFixed(1)} s)`);
console.log('\n-- by category --');
for (const [k, v] of [...byCat].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(pct(v), k);
console.log('\n-- top self time --');
for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(pct(v), k);
