// A minimal Kafka Metadata v1 client on a raw socket (no client library, no JVM), used to time broker
// start-up and recovery: "answered" means a Metadata response listing this broker and, when a topic is
// named, that topic with every partition led and error-free.
import net from 'node:net';

function encodeMetadataV1(correlationId, topics) {
  const clientId = Buffer.from('brook-bench');
  const parts = [];
  const head = Buffer.alloc(2 + 2 + 4 + 2);
  head.writeInt16BE(3, 0); // api key Metadata
  head.writeInt16BE(1, 2); // version 1
  head.writeInt32BE(correlationId, 4);
  head.writeInt16BE(clientId.length, 8);
  parts.push(head, clientId);
  if (!topics) {
    const n = Buffer.alloc(4);
    n.writeInt32BE(-1, 0); // null: all topics
    parts.push(n);
  } else {
    const n = Buffer.alloc(4);
    n.writeInt32BE(topics.length, 0);
    parts.push(n);
    for (const t of topics) {
      const b = Buffer.from(t);
      const l = Buffer.alloc(2);
      l.writeInt16BE(b.length, 0);
      parts.push(l, b);
    }
  }
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

function decodeMetadataV1(buf) {
  let p = 0;
  const i16 = () => ((p += 2), buf.readInt16BE(p - 2));
  const i32 = () => ((p += 4), buf.readInt32BE(p - 4));
  const str = () => {
    const n = i16();
    if (n < 0) return null;
    const s = buf.toString('utf8', p, p + n);
    p += n;
    return s;
  };
  const correlationId = i32();
  const brokers = [];
  for (let n = i32(); n > 0; n--) brokers.push({ nodeId: i32(), host: str(), port: i32(), rack: str() });
  const controllerId = i32();
  const topics = [];
  for (let n = i32(); n > 0; n--) {
    const t = { error: i16(), name: str(), internal: buf[p++] !== 0, partitions: [] };
    for (let m = i32(); m > 0; m--) {
      const part = { error: i16(), partition: i32(), leader: i32() };
      for (let k = i32(); k > 0; k--) i32(); // replicas
      for (let k = i32(); k > 0; k--) i32(); // isr
      t.partitions.push(part);
    }
    topics.push(t);
  }
  return { correlationId, brokers, controllerId, topics };
}

/** One Metadata v1 round trip; resolves the decoded response or null (refused, closed, timeout). */
export function metadataOnce(port, topic, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let chunks = [];
    let len = 0;
    const done = (v) => {
      clearTimeout(t);
      sock.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(null), timeoutMs);
    sock.on('error', () => done(null));
    sock.on('close', () => done(null));
    sock.on('connect', () => sock.write(encodeMetadataV1(7, topic ? [topic] : null)));
    sock.on('data', (d) => {
      chunks.push(d);
      len += d.length;
      const all = Buffer.concat(chunks);
      chunks = [all];
      if (len >= 4 && len >= 4 + all.readInt32BE(0)) {
        try {
          done(decodeMetadataV1(all.subarray(4, 4 + all.readInt32BE(0))));
        } catch {
          done(null);
        }
      }
    });
  });
}

export function portAccepts(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => (s.destroy(), resolve(false)));
  });
}

/**
 * Polls from now until the port accepts and until Metadata is answered (with `topic` led, if given).
 * Returns {portMs, metadataMs} relative to t0 (performance.now() when the process was spawned).
 */
export async function waitReady(port, t0, { topic, timeoutMs = 300000, child } = {}) {
  let portMs = null;
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`broker exited (${child.exitCode ?? child.signalCode}) while starting`);
    if (portMs === null) {
      if (await portAccepts(port)) portMs = performance.now() - t0;
      else {
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
    }
    const md = await metadataOnce(port, topic);
    if (md && md.brokers.length > 0) {
      if (!topic) return { portMs, metadataMs: performance.now() - t0 };
      const t = md.topics.find((x) => x.name === topic);
      if (t && t.error === 0 && t.partitions.length > 0 && t.partitions.every((q) => q.error === 0 && q.leader >= 0)) {
        return { portMs, metadataMs: performance.now() - t0 };
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`broker on port ${port} not ready after ${timeoutMs} ms`);
}
