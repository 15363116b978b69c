/**
 * The optional native helper (src/server/native/sendfile.c, built to dist/native by `npm run build`
 * when a C compiler and Node's headers are there).
 * - sendfile: streamed Fetch responses move segment bytes from the page cache to the socket without
 *   copying them through JavaScript, as Kafka does; without it they are read into pooled buffers and
 *   written. BROOK_SENDFILE=0 turns it off (to compare the two paths, or if a platform misbehaves).
 * - setSocketBuffer: socket.send.buffer.bytes and socket.receive.buffer.bytes, which Node cannot set
 *   on a TCP socket; without the helper the operating system's defaults stay.
 * - unsentBytes: whether a slow reader is still taking the bytes of a stream (the idle check).
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export interface SendfileError extends Error {
  code?: string;
  errno?: number;
}

/** Sends length bytes of file at position to sock; resolves with the bytes sent (fewer when waitMs ran out). */
export type SendfileFn = (sock: number, file: number, position: number, length: number, waitMs: number) => Promise<number>;

/** setsockopt SO_SNDBUF (kind 0) or SO_RCVBUF (kind 1); returns 0 or the errno. */
export type SetSocketBufferFn = (sock: number, kind: 0 | 1, bytes: number) => number;

/** getsockopt SO_SNDBUF (kind 0) or SO_RCVBUF (kind 1): the size the kernel holds, or -errno. */
export type GetSocketBufferFn = (sock: number, kind: 0 | 1) => number;

/** ioctl SIOCOUTQ: bytes sent to the socket that the peer has not acknowledged yet, or -errno. */
export type UnsentBytesFn = (sock: number) => number;

export interface NativeHelper {
  sendfile?: SendfileFn;
  setSocketBuffer?: SetSocketBufferFn;
  getSocketBuffer?: GetSocketBufferFn;
  unsentBytes?: UnsentBytesFn;
}

let loaded: NativeHelper | null | undefined;

function helper(): NativeHelper | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.platform !== 'linux') return loaded;
  const require = createRequire(import.meta.url);
  // dist/native beside dist/server; from src/server (tests run the sources) the same dist/native.
  for (const at of ['../native/sendfile.node', '../../dist/native/sendfile.node']) {
    try {
      return (loaded = require(at) as NativeHelper);
    } catch {
      // Not there, or not built here (no compiler or headers at build time).
    }
  }
  return loaded;
}

/** One function of the helper, or null when the helper is not built, cannot load, or lacks it. */
export function nativeHelper<K extends keyof NativeHelper>(name: K): NonNullable<NativeHelper[K]> | null {
  const fn = helper()?.[name];
  return typeof fn === 'function' ? (fn as NonNullable<NativeHelper[K]>) : null;
}

/** The sendfile helper, or null when it is not built, cannot load, or BROOK_SENDFILE=0. */
export function nativeSendfile(): SendfileFn | null {
  return process.env.BROOK_SENDFILE === '0' ? null : nativeHelper('sendfile');
}

/** The socket's descriptor, or -1 when it has none (not a TCP socket, or closed). */
export function socketFd(socket: Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}
