/**
 * A fault-injecting StorageFs for tests: counts every call, fails chosen operations with an
 * errno error (EIO by default), and can tear a write (write part of it, then fail).
 */
import { nodeFs, type StorageFs } from '../../src/storage/file/fs.js';

type Op = keyof StorageFs;

interface Fault {
  op: Op;
  code: string;
  path?: RegExp;
  times: number;
  /** For writev and writevSync: bytes to really write before failing. */
  tornBytes?: number;
}

export class FaultFs implements StorageFs {
  readonly counts: Partial<Record<Op, number>> = {};
  private faults: Fault[] = [];
  private paths = new Map<number, string>();

  constructor(private readonly inner: StorageFs = nodeFs) {}

  failNext(op: Op, opts: { code?: string; path?: RegExp; times?: number; tornBytes?: number } = {}): void {
    this.faults.push({ op, code: opts.code ?? 'EIO', path: opts.path, times: opts.times ?? 1, tornBytes: opts.tornBytes });
  }

  /** The path an fd was opened with (through this fs). */
  pathOf(fd: number): string | undefined {
    return this.paths.get(fd);
  }

  count(op: Op): number {
    return this.counts[op] ?? 0;
  }

  private take(op: Op, path: string | undefined): Fault | null {
    this.counts[op] = (this.counts[op] ?? 0) + 1;
    const i = this.faults.findIndex((f) => f.op === op && (!f.path || (path !== undefined && f.path.test(path))));
    if (i < 0) return null;
    const f = this.faults[i];
    if (--f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private check(op: Op, path?: string): void {
    const f = this.take(op, path);
    if (f) throw errno(f.code, op, path);
  }

  async open(path: string, flags: string | number): Promise<number> {
    this.check('open', path);
    const fd = await this.inner.open(path, flags);
    this.paths.set(fd, path);
    return fd;
  }
  async close(fd: number): Promise<void> {
    this.check('close', this.paths.get(fd));
    this.paths.delete(fd);
    return this.inner.close(fd);
  }
  async writev(fd: number, bufs: Buffer[], position: number): Promise<number> {
    const f = this.take('writev', this.paths.get(fd));
    if (f) {
      if (f.tornBytes) {
        const all = Buffer.concat(bufs).subarray(0, f.tornBytes);
        await this.inner.writev(fd, [all], position);
      }
      throw errno(f.code, 'writev', this.paths.get(fd));
    }
    return this.inner.writev(fd, bufs, position);
  }
  writevSync(fd: number, bufs: Buffer[], position: number): number {
    const f = this.take('writevSync', this.paths.get(fd));
    if (f) {
      if (f.tornBytes) this.inner.writevSync(fd, [Buffer.concat(bufs).subarray(0, f.tornBytes)], position);
      throw errno(f.code, 'writevSync', this.paths.get(fd));
    }
    return this.inner.writevSync(fd, bufs, position);
  }
  async read(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
    this.check('read', this.paths.get(fd));
    return this.inner.read(fd, buf, offset, length, position);
  }
  async fdatasync(fd: number): Promise<void> {
    this.check('fdatasync', this.paths.get(fd));
    return this.inner.fdatasync(fd);
  }
  async ftruncate(fd: number, length: number): Promise<void> {
    this.check('ftruncate', this.paths.get(fd));
    return this.inner.ftruncate(fd, length);
  }
  async fsize(fd: number): Promise<number> {
    this.check('fsize', this.paths.get(fd));
    return this.inner.fsize(fd);
  }
  async size(path: string): Promise<number | null> {
    this.check('size', path);
    return this.inner.size(path);
  }
  async readFile(path: string): Promise<Buffer | null> {
    this.check('readFile', path);
    return this.inner.readFile(path);
  }
  async rename(from: string, to: string): Promise<void> {
    this.check('rename', from);
    return this.inner.rename(from, to);
  }
  async unlink(path: string): Promise<void> {
    this.check('unlink', path);
    return this.inner.unlink(path);
  }
  async mkdir(path: string): Promise<void> {
    this.check('mkdir', path);
    return this.inner.mkdir(path);
  }
  async readdir(path: string): Promise<string[]> {
    this.check('readdir', path);
    return this.inner.readdir(path);
  }
  async isDirectory(path: string): Promise<boolean> {
    this.check('isDirectory', path);
    return this.inner.isDirectory(path);
  }
  async rmrf(path: string): Promise<void> {
    this.check('rmrf', path);
    return this.inner.rmrf(path);
  }
  async syncDir(path: string): Promise<void> {
    this.check('syncDir', path);
    return this.inner.syncDir(path);
  }
}

function errno(code: string, op: string, path?: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`${code}: injected fault, ${op} ${path ?? ''}`);
  e.code = code;
  return e;
}
