/**
 * A small raw Kafka client for tests, built on Brook's own codec: one socket, framed requests,
 * responses matched by correlation id (the broker answers in order). A real socket against the real
 * broker — used where a client library does not reach (exact versions, acks=0, corrupt bytes) and
 * for consuming without consumer groups.
 */
import { connect, type Socket } from 'node:net';
import {
  API_CODECS, Fetch, ListOffsets, Produce, Writer, decodeResponseFrame, encodeRequestFrame, type ApiCodec, type Init,
} from '../../src/protocol/index.js';
import type { FetchResponse } from '../../src/protocol/generated/001-fetch.js';
import { batches, buildRecordBatch, iterateRecords, type KafkaRecord, type RecordInput } from '../../src/protocol/records/index.js';
import { Framer } from '../../src/server/framer.js';

interface Pending {
  resolve(frame: Buffer): void;
  reject(err: Error): void;
}

export class KafkaTestClient {
  private correlationId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly framer = new Framer(1 << 30);
  closed = false;

  private constructor(readonly socket: Socket, readonly clientId: string | null) {
    socket.on('data', (chunk) => {
      this.framer.push(chunk);
      for (let f = this.framer.next(); f; f = this.framer.next()) {
        const id = f.readInt32BE(0);
        const p = this.pending.get(id);
        this.pending.delete(id);
        p?.resolve(f);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error('connection closed'));
      this.pending.clear();
    });
  }

  static async connect(port: number, host = '127.0.0.1', clientId: string | null = 'brook-test'): Promise<KafkaTestClient> {
    const socket = connect({ host, port });
    await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
    socket.setNoDelay(true);
    return new KafkaTestClient(socket, clientId);
  }

  /** Encodes one request frame; returns its correlation id and bytes. */
  frame<Req>(codec: ApiCodec<Req, unknown>, version: number, body: Init<Req>): { correlationId: number; bytes: Buffer } {
    const correlationId = this.correlationId++;
    const w = new Writer();
    encodeRequestFrame(w, codec, version, correlationId, this.clientId, body);
    return { correlationId, bytes: Buffer.concat(w.finish()) };
  }

  /** Sends a request and resolves with the decoded response body. */
  request<Req, Res>(codec: ApiCodec<Req, Res>, version: number, body: Init<Req>): Promise<Res> {
    const { correlationId, bytes } = this.frame(codec as ApiCodec<Req, unknown>, version, body);
    const p = this.expect(correlationId).then((f) => decodeResponseFrame(f, codec as ApiCodec<unknown, Res>, version).body);
    this.socket.write(bytes);
    return p;
  }

  /** Sends a request that gets no response (acks=0 Produce). */
  send<Req>(codec: ApiCodec<Req, unknown>, version: number, body: Init<Req>): number {
    const { correlationId, bytes } = this.frame(codec, version, body);
    this.socket.write(bytes);
    return correlationId;
  }

  /** Resolves with the raw response frame (size prefix removed) for a correlation id. */
  expect(correlationId: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => this.pending.set(correlationId, { resolve, reject }));
  }

  /** Correlation ids of responses that arrived without anyone waiting. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((res) => {
      this.socket.once('close', () => res());
      this.socket.end();
    });
  }
}

export { API_CODECS, Fetch, ListOffsets, Produce };

/** A v2 batch of string values (keys optional), CreateTime now unless given. */
export function batchOf(values: ReadonlyArray<string | Buffer>, opts: { keys?: ReadonlyArray<string>; timestamp?: number; compression?: number } = {}): Buffer {
  const ts = opts.timestamp ?? Date.now();
  const records: RecordInput[] = values.map((v, i) => ({ key: opts.keys?.[i], value: v, timestamp: ts }));
  return buildRecordBatch({ records, compression: opts.compression ?? 0 });
}

/** Produce one batch to one partition; resolves with the partition response. */
export async function produce(client: KafkaTestClient, topic: string, partition: number, records: Buffer | null, opts: { acks?: number; version?: number } = {}) {
  const res = await client.request(Produce, opts.version ?? 9, {
    acks: opts.acks ?? -1,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

/** Every record in a fetched records blob (v2 batches; a trailing partial batch is skipped). */
export function recordsOf(blob: Buffer | null): KafkaRecord[] {
  const out: KafkaRecord[] = [];
  if (!blob) return out;
  for (const b of batches(blob)) {
    if (b.partial) break;
    for (const r of iterateRecords(blob, b.pos)) out.push(r);
  }
  return out;
}

/** One Fetch of one partition (v11 by default, no wait). */
export async function fetchOnce(client: KafkaTestClient, topic: string, partition: number, offset: number | bigint, opts: { version?: number; maxWaitMs?: number; minBytes?: number; maxBytes?: number; partitionMaxBytes?: number; topicId?: string; currentLeaderEpoch?: number } = {}) {
  const res: FetchResponse = await client.request(Fetch, opts.version ?? 11, {
    replicaId: -1,
    maxWaitMs: opts.maxWaitMs ?? 0,
    minBytes: opts.minBytes ?? 1,
    maxBytes: opts.maxBytes ?? 64 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, topicId: opts.topicId, partitions: [{ partition, fetchOffset: BigInt(offset), partitionMaxBytes: opts.partitionMaxBytes ?? 16 * 1024 * 1024, currentLeaderEpoch: opts.currentLeaderEpoch ?? -1, logStartOffset: -1n }] }],
  });
  return { response: res, partition: res.responses[0]?.partitions[0] };
}

/** Reads a partition from `from` until `until` (exclusive), returning every record in order. */
export async function consumeAll(client: KafkaTestClient, topic: string, partition: number, from: number, until: number, opts: { partitionMaxBytes?: number } = {}): Promise<KafkaRecord[]> {
  const out: KafkaRecord[] = [];
  let next = BigInt(from);
  while (next < BigInt(until)) {
    const { partition: p } = await fetchOnce(client, topic, partition, next, { maxWaitMs: 1000, partitionMaxBytes: opts.partitionMaxBytes ?? 4 * 1024 * 1024 });
    if (!p || p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}@${next} failed: error ${p?.errorCode}`);
    for (const r of recordsOf(p.records)) {
      if (r.offset < next) continue; // a fetch inside a batch returns the whole batch
      out.push(r);
      next = r.offset + 1n;
    }
  }
  return out;
}
