/**
 * The file engine's only door to the filesystem. Everything the engine does on disk goes through
 * this small interface so tests can substitute a fault-injecting implementation (EIO on write or
 * fsync, torn writes) and count fsyncs. nodeFs is the real thing: callback-style `fs` calls
 * (cheaper than FileHandle) wrapped in promises.
 */
import fs from 'node:fs';

export interface StorageFs {
  /** flags as for fs.open: 'r', 'r+', 'w', or fs.constants bits. */
  open(path: string, flags: string | number): Promise<number>;
  close(fd: number): Promise<void>;
  /** Vectored positional write; resolves with the bytes written (may be short). */
  writev(fd: number, bufs: Buffer[], position: number): Promise<number>;
  /**
   * The same on the calling thread. Small appends use it: a copy into the page cache costs less
   * than the thread-pool round trip of writev.
   */
  writevSync(fd: number, bufs: Buffer[], position: number): number;
  read(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  fdatasync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  fsize(fd: number): Promise<number>;
  /** Size of a file, or null when it does not exist. */
  size(path: string): Promise<number | null>;
  readFile(path: string): Promise<Buffer | null>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  isDirectory(path: string): Promise<boolean>;
  rmrf(path: string): Promise<void>;
  /** fsync a directory so renames and unlinks in it are durable. */
  syncDir(path: string): Promise<void>;
}

function cb<T>(resolve: (v: T) => void, reject: (e: Error) => void) {
  return (err: NodeJS.ErrnoException | null, v: T) => (err ? reject(err) : resolve(v));
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

export const nodeFs: StorageFs = {
  open: (path, flags) => new Promise((res, rej) => fs.open(path, flags, 0o644, cb(res, rej))),
  close: (fd) => new Promise((res, rej) => fs.close(fd, (e) => (e ? rej(e) : res()))),
  writev: (fd, bufs, position) => new Promise((res, rej) => fs.writev(fd, bufs, position, cb(res, rej))),
  writevSync: (fd, bufs, position) => fs.writevSync(fd, bufs, position),
  read: (fd, buf, offset, length, position) =>
    new Promise((res, rej) => fs.read(fd, buf, offset, length, position, cb(res, rej))),
  fdatasync: (fd) => new Promise((res, rej) => fs.fdatasync(fd, (e) => (e ? rej(e) : res()))),
  ftruncate: (fd, length) => new Promise((res, rej) => fs.ftruncate(fd, length, (e) => (e ? rej(e) : res()))),
  fsize: (fd) => new Promise((res, rej) => fs.fstat(fd, (e, st) => (e ? rej(e) : res(st.size)))),
  size: async (path) => {
    try {
      return (await fs.promises.stat(path)).size;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  },
  readFile: async (path) => {
    try {
      return await fs.promises.readFile(path);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  },
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: async (path) => {
    try {
      await fs.promises.unlink(path);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  },
  mkdir: async (path) => {
    await fs.promises.mkdir(path, { recursive: true });
  },
  readdir: (path) => fs.promises.readdir(path),
  isDirectory: async (path) => {
    try {
      return (await fs.promises.stat(path)).isDirectory();
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  },
  rmrf: (path) => fs.promises.rm(path, { recursive: true, force: true }),
  syncDir: async (path) => {
    const fd = await nodeFs.open(path, 'r');
    try {
      await nodeFs.fdatasync(fd);
    } finally {
      await nodeFs.close(fd);
    }
  },
};

function totalBytes(bufs: Buffer[]): number {
  let total = 0;
  for (const b of bufs) total += b.length;
  return total;
}

/** What is left of bufs after a short write of `done` bytes. */
function unwritten(bufs: Buffer[], done: number): Buffer[] {
  let skip = done;
  const rest: Buffer[] = [];
  for (const b of bufs) {
    if (skip >= b.length) skip -= b.length;
    else {
      rest.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return rest;
}

function noProgress(position: number): Error {
  return new Error(`writev made no progress at ${position}`);
}

/** Writes every byte of bufs at position, retrying short writes. */
export async function writeAll(fsys: StorageFs, fd: number, bufs: Buffer[], position: number): Promise<void> {
  const total = totalBytes(bufs);
  let done = await fsys.writev(fd, bufs, position);
  while (done < total) {
    const n = await fsys.writev(fd, unwritten(bufs, done), position + done);
    if (n <= 0) throw noProgress(position + done);
    done += n;
  }
}

/** writeAll on the calling thread. */
export function writeAllSync(fsys: StorageFs, fd: number, bufs: Buffer[], position: number): void {
  const total = totalBytes(bufs);
  let done = fsys.writevSync(fd, bufs, position);
  while (done < total) {
    const n = fsys.writevSync(fd, unwritten(bufs, done), position + done);
    if (n <= 0) throw noProgress(position + done);
    done += n;
  }
}

/**
 * Reads exactly length bytes at position (fewer only at end of file), into `alloc(length)` (which
 * may return a larger buffer) or a new buffer.
 */
export async function readAt(fsys: StorageFs, fd: number, position: number, length: number, alloc?: (n: number) => Buffer): Promise<Buffer> {
  const buf = alloc ? alloc(length) : Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = await fsys.read(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === buf.length ? buf : buf.subarray(0, got);
}

/** Writes a whole file crash-safely: temp file, fsync, rename, fsync the directory. */
export async function writeFileAtomic(fsys: StorageFs, path: string, data: Buffer, syncDir = true): Promise<void> {
  const tmp = `${path}.tmp`;
  const fd = await fsys.open(tmp, 'w');
  try {
    await writeAll(fsys, fd, [data], 0);
    await fsys.fdatasync(fd);
  } finally {
    await fsys.close(fd);
  }
  await fsys.rename(tmp, path);
  if (syncDir) await fsys.syncDir(dirOf(path));
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
