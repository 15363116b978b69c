// Builds the optional native sendfile helper (sendfile.c) to dist/native/sendfile.node with the C
// compiler and Node's own headers (no node-gyp, no download). Never fails the build: without a
// compiler or headers Brook streams file spans by reading them (src/server/sendfile.ts).
//   node src/server/native/build.mjs          build when sendfile.c is newer than the output
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const src = path.join(here, 'sendfile.c');
const out = path.join(root, 'dist', 'native', 'sendfile.node');
const say = (msg) => process.stderr.write(`native sendfile helper: ${msg}\n`);

/** The directory holding Node's node_api.h, or undefined (tests ask it too). */
export function nodeHeaders() {
  const dirs = [path.resolve(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
  if (process.env.npm_config_nodedir) dirs.unshift(path.join(process.env.npm_config_nodedir, 'include', 'node'));
  return dirs.find((d) => fs.existsSync(path.join(d, 'node_api.h')));
}

function main() {
  if (process.platform !== 'linux') return say('not Linux: skipped (file spans are read and written)');
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) return;
  const inc = nodeHeaders();
  if (!inc) return say("Node's headers (node_api.h) not found: skipped (file spans are read and written)");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync(process.env.CC || 'cc', ['-O2', '-Wall', '-Werror', '-shared', '-fPIC', `-I${inc}`, '-o', tmp, src], { stdio: ['ignore', 'ignore', 'pipe'] });
    fs.renameSync(tmp, out);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    say(`build failed, skipped (file spans are read and written): ${String(e.stderr || e.message).split('\n')[0]}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
