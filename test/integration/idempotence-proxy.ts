/**
 * A fault-injecting loopback TCP proxy for Kafka connections: forwards bytes both ways, watches the
 * request frames to learn which correlation ids are Produce requests, and when `dropProduceResponse`
 * says so, swallows that Produce response and closes both sockets — the broker has appended the
 * batch, the client never hears of it and retries on a new connection.
 */
import { type AddressInfo, type Server, type Socket, createServer, connect } from 'node:net';

const PRODUCE = 0;

export interface FaultProxy {
  port: number;
  /** Produce responses swallowed so far. */
  dropped(): number;
  /** Produce responses seen so far. */
  produces(): number;
  setTarget(port: number): void;
  close(): Promise<void>;
}

/** Splits a byte stream into size-prefixed frames (prefix included). */
function framer(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 4) {
      const size = buf.readInt32BE(0);
      if (buf.length < 4 + size) break;
      onFrame(buf.subarray(0, 4 + size));
      buf = buf.subarray(4 + size);
    }
  };
}

export async function startFaultProxy(opts: { targetPort?: number; dropProduceResponse: (n: number) => boolean }): Promise<FaultProxy> {
  let target = opts.targetPort ?? 0;
  let produces = 0;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: target });
    sockets.add(client).add(upstream);
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => sockets.delete(client) && upstream.destroy());
    upstream.on('close', () => sockets.delete(upstream) && client.destroy());
    client.on('error', kill);
    upstream.on('error', kill);
    const produceIds = new Set<number>();
    client.on(
      'data',
      framer((frame) => {
        if (frame.length >= 12 && frame.readInt16BE(4) === PRODUCE) produceIds.add(frame.readInt32BE(8));
        upstream.write(frame);
      }),
    );
    upstream.on(
      'data',
      framer((frame) => {
        const id = frame.readInt32BE(4);
        if (produceIds.delete(id) && opts.dropProduceResponse(produces++)) {
          dropped++;
          kill();
          return;
        }
        client.write(frame);
      }),
    );
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    port: (server.address() as AddressInfo).port,
    dropped: () => dropped,
    produces: () => produces,
    setTarget: (p) => (target = p),
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}
