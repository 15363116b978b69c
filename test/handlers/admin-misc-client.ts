/**
 * A tiny raw Kafka client for handler tests: encodes requests with the generated codec, sends them
 * over a real socket and decodes the responses (one request at a time, in order).
 */
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame, Writer, type ApiCodec, type Init } from '../../src/protocol/index.js';

export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  private waiters: Array<(frame: Buffer) => void> = [];
  private correlationId = 1;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      while (this.buf.length >= 4) {
        const size = this.buf.readInt32BE(0);
        if (this.buf.length < 4 + size) break;
        const frame = this.buf.subarray(4, 4 + size);
        this.buf = this.buf.subarray(4 + size);
        this.waiters.shift()?.(frame);
      }
    });
    socket.on('error', () => {});
  }

  static async connect(host: string, port: number): Promise<RawClient> {
    const socket = connect({ host, port });
    await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
    return new RawClient(socket);
  }

  /** Sends one request and waits for its response body. */
  async send<Req, Res>(codec: ApiCodec<Req, Res>, version: number, body: Init<Req>, timeoutMs = Number(process.env.RAW_TIMEOUT ?? 10_000)): Promise<Res> {
    const w = new Writer();
    const cid = this.correlationId++;
    encodeRequestFrame(w, codec as ApiCodec<Req, unknown>, version, cid, 'raw-test', body);
    const frame = new Promise<Buffer>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`${codec.name} v${version}: no response in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((f) => (clearTimeout(t), res(f)));
      this.socket.once('close', () => rej(new Error(`${codec.name} v${version}: connection closed`)));
    });
    for (const c of w.finish()) this.socket.write(c);
    const { correlationId, body: res } = decodeResponseFrame(await frame, codec as ApiCodec<unknown, Res>, version);
    if (correlationId !== cid) throw new Error(`correlation id ${correlationId}, expected ${cid}`);
    return res;
  }

  close(): void {
    this.socket.destroy();
  }
}
