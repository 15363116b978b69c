/** Socket reads into chosen buffers (src/server/read-buffer.ts), on sockets a real net.Server accepted. */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readInto } from '../../src/server/read-buffer.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function accepted(): Promise<{ server: Socket; client: Socket }> {
  const srv = createServer();
  servers.push(srv);
  const got = new Promise<Socket>((res) => srv.once('connection', res));
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as { port: number }).port;
  const client = connect({ host: '127.0.0.1', port });
  const server = await got;
  return { server, client };
}

describe('readInto', () => {
  it('reads an accepted socket into the buffers it is given, and pause/resume still stop and restart reading', async () => {
    const { server, client } = await accepted();
    const a = Buffer.alloc(1000);
    const b = Buffer.alloc(1000);
    let next = a;
    const received: Buffer[] = [];
    const into: Buffer[] = [];
    let dataEvents = 0;
    server.on('data', () => dataEvents++);
    const ok = readInto(
      server,
      () => (next = next === a ? b : a),
      (buf, n) => {
        into.push(buf);
        received.push(Buffer.from(buf.subarray(0, n)));
      },
    );
    expect(ok).toBe(true);
    const wait = async (bytes: number) => {
      for (let i = 0; i < 200 && Buffer.concat(received).length < bytes; i++) await new Promise((r) => setTimeout(r, 5));
    };
    client.write(Buffer.alloc(1500, 1));
    await wait(1500);
    expect(Buffer.concat(received).equals(Buffer.alloc(1500, 1))).toBe(true);
    expect(into.every((buf) => buf === a || buf === b)).toBe(true); // only the chosen buffers
    expect(dataEvents).toBe(0);

    server.pause();
    client.write(Buffer.alloc(10, 2));
    await new Promise((r) => setTimeout(r, 100));
    expect(Buffer.concat(received).length).toBe(1500); // paused: the bytes wait in the kernel
    server.resume();
    await wait(1510);
    expect(Buffer.concat(received).subarray(1500).equals(Buffer.alloc(10, 2))).toBe(true);
    client.destroy();
  });

  it('refuses a socket that already reads into buffers of its own choosing', async () => {
    const { server, client } = await accepted();
    const buf = Buffer.alloc(100);
    expect(readInto(server, () => buf, () => {})).toBe(true);
    expect(readInto(server, () => buf, () => {})).toBe(false);
    client.destroy();
  });
});
