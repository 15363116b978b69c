/**
 * The network server: one net listener per configured listener, a Connection per client socket.
 * close() stops accepting, closes every connection and waits for the listeners to shut.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ListenerSpec } from '../metadata/broker-config.js';
import { Connection, type ConnectionOptions } from './connection.js';
import type { Dispatcher } from './dispatcher.js';

export interface BoundListener {
  spec: ListenerSpec;
  /** The address actually bound (port 0 resolved). */
  host: string;
  port: number;
}

export interface NetworkServerOptions extends Partial<ConnectionOptions> {
  listeners: ListenerSpec[];
  dispatcher: Dispatcher;
  logger: Logger;
  /** max.connections: further sockets are closed at once. */
  maxConnections?: number;
}

export const DEFAULT_MAX_IN_FLIGHT = 128;
/** Request bytes in flight per connection before reading pauses (queued.max.request.bytes per connection). */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 16 * 1024 * 1024;

export class NetworkServer {
  private readonly servers: Server[] = [];
  private readonly conns = new Set<Connection>();
  private nextId = 1;
  bound: BoundListener[] = [];

  constructor(private readonly opts: NetworkServerOptions) {}

  async start(): Promise<BoundListener[]> {
    for (const spec of this.opts.listeners) {
      const server = createServer({ pauseOnConnect: false, noDelay: true }, (socket) => this.accept(socket, spec));
      server.on('error', (err) => this.opts.logger.error({ err, listener: spec.name }, 'listener error'));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: spec.host === '' ? undefined : spec.host, port: spec.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.servers.push(server);
      const addr = server.address() as AddressInfo;
      this.bound.push({ spec, host: addr.address, port: addr.port });
      this.opts.logger.info({ listener: spec.name, host: addr.address, port: addr.port }, 'listening');
    }
    return this.bound;
  }

  /** Open connections (tests and metrics). */
  connections(): Connection[] {
    return [...this.conns];
  }

  async close(): Promise<void> {
    const closing = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const c of this.conns) c.close('broker shutting down', 'debug', undefined, true);
    await Promise.all(closing);
    this.servers.length = 0;
  }

  private accept(socket: Socket, spec: ListenerSpec): void {
    const max = this.opts.maxConnections ?? Infinity;
    if (this.conns.size >= max) {
      this.opts.logger.warn({ max }, 'too many connections (max.connections); closing the new one');
      socket.destroy();
      return;
    }
    const info = { id: this.nextId++, listener: spec, remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 };
    const conn = new Connection(
      socket,
      info,
      this.opts.dispatcher,
      {
        maxFrameBytes: this.opts.maxFrameBytes ?? 104857600,
        idleMs: this.opts.idleMs ?? 600000,
        maxInFlight: this.opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
        maxInFlightBytes: this.opts.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES,
        socketReadBuffers: this.opts.socketReadBuffers,
        sendfile: this.opts.sendfile,
        sendBufferBytes: this.opts.sendBufferBytes,
        receiveBufferBytes: this.opts.receiveBufferBytes,
      },
      this.opts.logger,
      (c) => this.conns.delete(c),
    );
    this.conns.add(conn);
  }
}
