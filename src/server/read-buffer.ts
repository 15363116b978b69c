/**
 * Socket reads into buffers we choose, instead of a new buffer per read.
 *
 * By default Node allocates a 64 KiB buffer for every read of every socket and hands it to 'data'
 * listeners. At produce rates that is a new external allocation per read, and V8 starts a full
 * mark-compact each time external memory has grown by its limit: the broker spent a large part of
 * its CPU in collections started that way. Node's `onread` socket option instead reads into a
 * buffer the caller supplies, chosen anew before every read. Server sockets are created by
 * net.Server, which does not pass that option on, so this installs the same state on an accepted
 * socket (the properties Node's own `onread` sets, found by their symbols' descriptions). When a
 * Node version lacks them, attach() returns false and the caller keeps using 'data' events.
 *
 * Pause and resume keep working: net.Socket stops and restarts the handle's reads itself when a
 * user buffer is installed.
 */
import type { Socket } from 'node:net';

/** One read buffer for every connection: each read is consumed before the next one can start. */
export const SHARED_READ_BYTES = 64 * 1024;
let shared: Buffer | null = null;

export function sharedReadBuffer(): Buffer {
  return (shared ??= Buffer.allocUnsafeSlow(SHARED_READ_BYTES));
}

interface UserBufferHandle {
  useUserBuffer?: (buf: Uint8Array) => void;
}

function symbolsOf(socket: Socket): { buf: symbol; cb: symbol; gen: symbol } | null {
  let buf: symbol | undefined;
  let cb: symbol | undefined;
  let gen: symbol | undefined;
  for (const s of Object.getOwnPropertySymbols(socket)) {
    if (s.description === 'kBuffer') buf = s;
    else if (s.description === 'kBufferCb') cb = s;
    else if (s.description === 'kBufferGen') gen = s;
  }
  return buf && cb && gen ? { buf, cb, gen } : null;
}

/**
 * Makes `socket` read into the buffer `target()` returns (called before every read), passing the
 * bytes to `onRead(buf, n)`, which must consume them before it returns unless `buf` is memory the
 * caller set aside for them. Returns false, changing nothing, when this Node cannot do that.
 */
export function readInto(socket: Socket, target: () => Buffer, onRead: (buf: Buffer, n: number) => void): boolean {
  const handle = (socket as unknown as { _handle?: UserBufferHandle | null })._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function') return false;
  const syms = symbolsOf(socket);
  if (!syms) return false;
  const s = socket as unknown as Record<symbol, unknown>;
  if (s[syms.buf] !== null || s[syms.cb] !== null || s[syms.gen] !== null) return false;
  const first = target();
  s[syms.buf] = first;
  s[syms.gen] = target;
  s[syms.cb] = (n: number, buf: Buffer): void => onRead(buf, n);
  handle.useUserBuffer(first);
  return true;
}
