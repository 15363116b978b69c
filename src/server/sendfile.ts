/**
 * The optional native sendfile helper (src/server/native/sendfile.c, built to dist/native by
 * `npm run build` when a C compiler and Node's headers are there). Streamed Fetch responses use it
 * to move segment bytes from the page cache to the socket without copying them through JavaScript,
 * as Kafka does; without it they are read into pooled buffers and written. BROOK_SENDFILE=0 turns it
 * off (to compare the two paths, or if a platform misbehaves).
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export interface SendfileError extends Error {
  code?: string;
  errno?: number;
}

/** Sends length bytes of file at position to sock; resolves with the bytes sent (fewer when waitMs ran out). */
export type SendfileFn = (sock: number, file: number, position: number, length: number, waitMs: number) => Promise<number>;

let loaded: SendfileFn | null | undefined;

/** The helper, or null when it is not built, cannot load, or BROOK_SENDFILE=0. */
export function nativeSendfile(): SendfileFn | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.platform !== 'linux' || process.env.BROOK_SENDFILE === '0') return loaded;
  const require = createRequire(import.meta.url);
  // dist/native beside dist/server; from src/server (tests run the sources) the same dist/native.
  for (const at of ['../native/sendfile.node', '../../dist/native/sendfile.node']) {
    try {
      const mod = require(at) as { sendfile?: SendfileFn };
      if (typeof mod.sendfile === 'function') return (loaded = mod.sendfile);
    } catch {
      // Not there, or not built here (no compiler or headers at build time).
    }
  }
  return loaded;
}

/** The socket's descriptor, or -1 when it has none (not a TCP socket, or closed). */
export function socketFd(socket: Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}
