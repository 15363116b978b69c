/**
 * A minimal raw Kafka connection for tests: sends requests encoded by Brook's codec (or raw bytes)
 * and reads size-prefixed responses in order. Used where a test needs exact versions or malformed
 * frames that a real client would never send.
 */
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/headers.js';
import type { ApiCodec, Init } from '../../src/protocol/primitives/index.js';
import { Writer } from '../../src/protocol/primitives/index.js';

export class RawConn {
  private buf = Buffer.alloc(0);
  private waiters: Array<(f: Buffer | null) => void> = [];
  private frames: Buffer[] = [];
  private correlation = 1;
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c;
      while (this.buf.length >= 4) {
        const n = this.buf.readInt32BE(0);
        if (this.buf.length < 4 + n) break;
        const f = this.buf.subarray(4, 4 + n);
        this.buf = this.buf.subarray(4 + n);
        const w = this.waiters.shift();
        if (w) w(f);
        else this.frames.push(f);
      }
    });
    socket.on('error', () => {});
    this.closedPromise = new Promise((res) =>
      socket.once('close', () => {
        this.closed = true;
        for (const w of this.waiters.splice(0)) w(null);
        res();
      }),
    );
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawConn> {
    const socket = connect({ host, port });
    await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
    return new RawConn(socket);
  }

  /** The next response frame (without size), or null when the connection closed first. */
  next(timeoutMs = 5000): Promise<Buffer | null> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    if (this.closed) return Promise.resolve(null);
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error('timed out waiting for a response')), timeoutMs);
      this.waiters.push((x) => {
        clearTimeout(t);
        res(x);
      });
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends one request and decodes its response. */
  async request<Req, Res>(codec: ApiCodec<Req, Res>, version: number, body: Init<Req>): Promise<Res> {
    const id = this.correlation++;
    const w = new Writer();
    encodeRequestFrame(w, codec as ApiCodec<Req, unknown>, version, id, 'raw-test', body);
    this.write(w.toBuffer());
    const f = await this.next();
    if (!f) throw new Error(`connection closed before the response to ${codec.name} v${version}`);
    const { correlationId, body: res } = decodeResponseFrame(f, codec as ApiCodec<unknown, Res>, version);
    if (correlationId !== id) throw new Error(`correlation id ${correlationId}, expected ${id}`);
    return res;
  }

  /** Resolves true if the broker closes the connection within `ms`. */
  async closesWithin(ms = 2000): Promise<boolean> {
    if (this.closed) return true;
    return Promise.race([this.closedPromise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  }

  close(): void {
    this.socket.destroy();
  }
}
