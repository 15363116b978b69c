/**
 * One client connection: frames in, responses out in request order.
 *
 * Every request gets a slot in a FIFO; a slot is filled when its response is encoded (at once for
 * synchronous handlers, later for long polls) and the queue's completed head is written out under
 * one cork, so many responses leave in one syscall. Backpressure: reading pauses while the socket's
 * write buffer is full (until 'drain') or while too many requests are in flight.
 *
 * A response may hold deferred bytes (file spans of a catch-up Fetch): those are streamed, read from
 * the file a piece at a time and written as the socket takes them, so a 64 MiB Fetch costs two
 * pieces of memory, not 64 MiB; or, where the native helper is built, sent from the file by
 * sendfile, the way Kafka does. Later responses wait until the stream is out.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { type DeferredBytes, type OutChunk, Writer } from '../protocol/primitives/index.js';
import type { ConnectionInfo } from '../handlers/types.js';
import type { ConnectionContext, Dispatcher, Encoded } from './dispatcher.js';
import { bufferPool } from '../protocol/primitives/buffer-pool.js';
import { FrameError, Framer } from './framer.js';
import { readInto, sharedReadBuffer } from './read-buffer.js';
import { type SendfileError, type SendfileFn, nativeHelper, nativeSendfile, socketFd } from './sendfile.js';

export interface ConnectionOptions {
  maxFrameBytes: number;
  idleMs: number;
  /** Requests read but not yet answered before reading pauses. */
  maxInFlight: number;
  /**
   * Request bytes read but not yet answered before reading pauses (one request is always let in,
   * whatever its size). Bounds the memory a pipelining client (librdkafka keeps up to a million
   * requests in flight) can make the broker hold.
   */
  maxInFlightBytes?: number;
  /** false: take 'data' events (a new buffer per read) instead of reading into chosen buffers. */
  socketReadBuffers?: boolean;
  /** false: stream file spans by reading them, even where the native sendfile helper is built. */
  sendfile?: boolean;
  /**
   * socket.send.buffer.bytes and socket.receive.buffer.bytes: SO_SNDBUF and SO_RCVBUF of each
   * connection, set with the native helper where it is built; -1 or absent keeps the system's
   * auto-tuned buffer. Kafka's default send buffer (100 KiB) also paces a sendfile stream: a large
   * Fetch response reaches the client about a fifth faster on loopback than through the auto-tuned
   * buffer of up to 4 MiB (bench/RESULTS.md).
   */
  sendBufferBytes?: number;
  receiveBufferBytes?: number;
}

interface Slot {
  done: boolean;
  chunks: Encoded;
  /** Request frame size, counted in inFlightBytes until the slot is released. */
  bytes: number;
  /** Run once the response is written to the socket (RequestContext.onResponseSent). */
  sent: (() => void)[] | null;
}

function runAll(fns: (() => void)[]): void {
  for (const f of fns) f();
}

/** Deferred bytes are streamed in pieces of this size, two at a time (one read while one is written). */
export const STREAM_PIECE_BYTES = 1024 * 1024;
/**
 * How long one sendfile job may wait for room in a full socket before it gives its pool thread back:
 * a slow reader must not hold a thread that file I/O needs. The stream then writes one piece the
 * ordinary way (its write waits for room in the event loop) and goes on with sendfile after it.
 */
const SENDFILE_WAIT_MS = 20;
const EMPTY = Buffer.alloc(0);

/** Gives a pooled request frame back, once however often it is called (RequestContext.releaseRequestBytes). */
function releaser(frame: Buffer): () => void {
  let held: Buffer | null = frame;
  return () => {
    if (held !== null) bufferPool.give(held);
    held = null;
  };
}

const isDeferred = (c: OutChunk): c is DeferredBytes => !Buffer.isBuffer(c);

export class Connection {
  private readonly framer: Framer;
  private readonly slots: Slot[] = [];
  private readonly writer = new Writer(16384);
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  /** What the dispatcher sees of this connection (the same object for every request). */
  private readonly ctx: ConnectionContext;
  private writeBlocked = false;
  private readPaused = false;
  private closed = false;
  private pumping = false;
  /** Sizes of the requests read whose response has not been written yet. */
  private inFlightBytes = 0;
  /** A pump is queued for the end of this tick (see complete()). */
  private flushScheduled = false;
  /** A response with deferred bytes is being streamed: nothing else is written until it is out. */
  private streaming = false;
  /** Times reading was paused because the socket's write buffer was full (tests, metrics). */
  writePauses = 0;
  /** Responses that were streamed (tests, metrics). */
  streamedResponses = 0;
  /** Bytes of streamed responses that went by sendfile (tests, metrics). */
  sentfileBytes = 0;
  /** When a sendfile stream last moved bytes (its sendfile calls are invisible to the socket's idle timer). */
  private streamProgressAt = 0;
  /** The socket's unacknowledged bytes at the last idle check of a stream (peerTookBytes). */
  private lastUnsent = -1;
  /** Times a sendfile stream found the socket full for a whole job and sent a piece by write instead. */
  sentfileWaits = 0;
  /** sendfile jobs on the thread pool now (0 or 1). */
  sendfileJobs = 0;
  private readonly sendfile: SendfileFn | null;

  constructor(
    private readonly socket: Socket,
    readonly info: ConnectionInfo,
    private readonly dispatcher: Dispatcher,
    private readonly opts: ConnectionOptions,
    logger: Logger,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.logger = logger.child({ conn: info.id, remote: `${info.remoteAddress}:${info.remotePort}` });
    this.framer = new Framer(opts.maxFrameBytes);
    // Not under TLS: the bytes must go through the socket's own layer there.
    this.sendfile = opts.sendfile === false || (socket as { encrypted?: boolean }).encrypted ? null : nativeSendfile();
    this.ctx = { info, writer: this.writer, signal: this.abort.signal, logger: this.logger };
    socket.setNoDelay(true);
    this.setBuffers(opts.sendBufferBytes, opts.receiveBufferBytes);
    if (opts.idleMs > 0) socket.setTimeout(opts.idleMs);
    const direct = opts.socketReadBuffers !== false && readInto(socket, this.readTarget, (buf, n) => this.onData(buf, n));
    if (!direct) socket.on('data', (chunk: Buffer) => this.onData(chunk, chunk.length));
    socket.on('drain', () => this.onDrain());
    socket.on('timeout', () => this.onTimeout());
    socket.on('error', (err) => this.logger.debug({ err }, 'socket error'));
    socket.on('close', () => this.teardown());
  }

  private setBuffers(send = -1, receive = -1): void {
    if (send <= 0 && receive <= 0) return;
    const set = nativeHelper('setSocketBuffer');
    const fd = socketFd(this.socket);
    if (!set || fd < 0) return;
    for (const [kind, bytes] of [[0, send], [1, receive]] as const) {
      if (bytes <= 0) continue;
      const errno = set(fd, kind, bytes);
      if (errno !== 0) this.logger.debug({ errno, kind: kind === 0 ? 'SO_SNDBUF' : 'SO_RCVBUF', bytes }, 'setting a socket buffer size failed');
    }
  }

  /** SO_SNDBUF and SO_RCVBUF as the kernel holds them (it doubles what was set), or null without the helper (tests, metrics). */
  socketBuffers(): { send: number; receive: number } | null {
    const get = nativeHelper('getSocketBuffer');
    const fd = socketFd(this.socket);
    return get && fd >= 0 ? { send: get(fd, 0), receive: get(fd, 1) } : null;
  }

  /** Requests read whose response has not been written yet. */
  get inFlight(): number {
    return this.slots.length;
  }
  get paused(): boolean {
    return this.readPaused;
  }
  /** Bytes queued in the socket, not yet taken by the kernel. */
  get pendingWriteBytes(): number {
    return this.socket.writableLength;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  /** Stops reading, ends the connection (pending responses are dropped) and frees the socket. */
  close(reason?: string, level: 'warn' | 'info' | 'debug' = 'debug', err?: unknown, immediate = false): void {
    if (this.closed) return;
    if (reason) this.logger[level](err ? { err } : {}, `closing connection: ${reason}`);
    this.teardown();
    if (immediate) {
      this.socket.destroy();
      return;
    }
    this.socket.end();
    // A peer that never reads would keep the socket half-open; do not wait for it long.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    // Responses never handed to the socket give their resources back now; those still being
    // worked on do when their handler settles (handleFrame), the one streaming when it stops.
    for (const slot of this.slots) if (slot.done && slot.sent) runAll(slot.sent);
    this.slots.length = 0;
    this.inFlightBytes = 0;
    this.abort.abort();
    this.socket.pause();
    this.onClose(this);
  }

  /** Where the next socket read lands: the rest of a large frame, else the shared read buffer. */
  private readonly readTarget = (): Buffer => this.framer.readTarget() ?? sharedReadBuffer();

  private onData(buf: Buffer, n: number): void {
    if (this.closed) return;
    this.framer.received(buf, n);
    this.pump();
  }

  private canRead(): boolean {
    return !this.closed && !this.writeBlocked && this.slots.length < this.opts.maxInFlight && !this.overBytes();
  }

  private overBytes(): boolean {
    return this.slots.length > 0 && this.inFlightBytes >= (this.opts.maxInFlightBytes ?? Infinity);
  }

  /**
   * Handles every complete frame that may be read now, then writes the completed head of the queue.
   * Responses of requests handled in one pass leave together (one cork, one writev). Not re-entrant:
   * a completion during the pass is picked up by the pass's own flush.
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        let handled = 0;
        while (this.canRead()) {
          let frame: Buffer | null;
          try {
            frame = this.framer.next();
          } catch (err) {
            this.close((err as FrameError).message, 'warn');
            return;
          }
          if (frame === null) break;
          this.handleFrame(frame);
          handled++;
        }
        if (this.closed) return;
        const released = this.flushHead();
        if (handled === 0 && released === 0) break;
      }
    } finally {
      this.pumping = false;
    }
    this.updateReading();
  }

  private handleFrame(frame: Buffer): void {
    const slot: Slot = { done: false, chunks: null, bytes: frame.length, sent: null };
    this.slots.push(slot);
    this.inFlightBytes += frame.length;
    let outcome;
    try {
      outcome = this.dispatcher.dispatch(frame, this.ctx, (fn) => (slot.sent ??= []).push(fn), bufferPool.pools(frame.length) ? releaser(frame) : undefined);
    } catch (err) {
      this.close('request dispatch failed', 'warn', err);
      return;
    }
    if (outcome instanceof Promise) {
      outcome.then(
        (chunks) => this.complete(slot, chunks),
        (e: { close?: string; err?: unknown }) => {
          if (slot.sent) runAll(slot.sent);
          this.close(e?.close ?? 'handler failed', 'warn', e?.err ?? e);
        },
      );
    } else if (outcome !== null && !Array.isArray(outcome)) {
      this.close(outcome.close, outcome.level, outcome.err);
    } else {
      slot.done = true;
      slot.chunks = outcome;
    }
  }

  /**
   * A long-running request finished: write it (and whatever completed behind it) if it is next.
   * The write is deferred to the end of the current tick: completions usually come in bursts (one
   * log write or fsync resolves every produce waiting on it), and their responses then leave in one
   * corked writev instead of one socket write each.
   */
  private complete(slot: Slot, chunks: Encoded): void {
    if (this.closed) {
      if (slot.sent) runAll(slot.sent);
      return;
    }
    slot.done = true;
    slot.chunks = chunks;
    if (this.slots[0] === slot && !this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.deferredPump);
    }
  }

  private readonly deferredPump = (): void => {
    this.flushScheduled = false;
    if (!this.closed) this.pump();
  };

  /** Writes every completed response at the head of the queue, corked into one write. */
  private flushHead(): number {
    const s = this.socket;
    let corked = false;
    let ok = true;
    let released = 0;
    while (!this.streaming && this.slots.length > 0 && this.slots[0].done) {
      const { chunks, bytes, sent } = this.slots.shift()!;
      this.inFlightBytes -= bytes;
      released++;
      if (!chunks || chunks.length === 0) {
        if (sent) runAll(sent);
        continue;
      }
      if (!corked) {
        s.cork();
        corked = true;
      }
      const deferred = chunks.findIndex(isDeferred);
      if (deferred >= 0) {
        for (let i = 0; i < deferred; i++) ok = s.write(chunks[i] as Buffer) && ok;
        this.streaming = true;
        void this.stream(chunks, deferred, sent);
        break;
      }
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) ok = s.write(chunks[i] as Buffer) && ok;
      // The write callback runs once libuv is done with the bytes (written, or the socket failed).
      ok = (sent ? s.write(chunks[last] as Buffer, () => runAll(sent)) : s.write(chunks[last] as Buffer)) && ok;
    }
    if (corked) s.uncork();
    if (!ok) {
      this.writeBlocked = true;
      this.writePauses++;
    }
    this.maybeResetWriter();
    return released;
  }

  /** The writer's buffer is reused only once nothing queued or streaming still points into it. */
  private maybeResetWriter(): void {
    if (this.slots.length === 0 && !this.streaming && this.socket.writableLength === 0) this.writer.reset();
  }

  /**
   * Writes chunks[from..] of one response. Deferred bytes that lie in a file go by sendfile when the
   * native helper is built (sendfile.ts): straight from the page cache, once everything written
   * before them is in the kernel. Otherwise they are read a piece at a time: the next piece is read
   * while the previous one is being written, and a piece goes back only once the kernel has it. A
   * failed read cannot be answered any more (the size is out): the connection closes.
   */
  private async stream(chunks: OutChunk[], from: number, sent: (() => void)[] | null): Promise<void> {
    this.streamedResponses++;
    this.lastUnsent = -1;
    const s = this.socket;
    const pieces: Buffer[] = [];
    let failed: unknown = null;
    // A socket that fails under a write is the peer going away, not a broker fault.
    let peerGone = false;
    let writing: Promise<void> = Promise.resolve();
    const write = (b: Buffer): Promise<void> =>
      new Promise<void>((resolve) => {
        s.write(b, (err) => {
          if (err && failed === null) {
            failed = err;
            peerGone = true;
          }
          resolve();
        });
      });
    const stopped = () => failed !== null || this.closed;
    let usedSendfile = false;
    try {
      let turn = 0;
      for (let i = from; i < chunks.length && !stopped(); i++) {
        const c = chunks[i];
        if (!isDeferred(c)) {
          await writing;
          writing = write(c);
          continue;
        }
        const file = c.file;
        if (file && this.sendfile) {
          usedSendfile = true;
          // The empty write's callback runs once every byte queued before it is in the kernel.
          await writing;
          writing = write(EMPTY);
          await writing;
          for (let at = 0; at < c.length && !stopped(); ) {
            const sock = socketFd(s);
            if (sock < 0) {
              failed = new Error('socket closed during a streamed response');
              peerGone = true;
              break;
            }
            try {
              // Bad arguments or a failed dup throw here, before any job is queued.
              const job = this.sendfile(sock, file.fd, file.position + at, c.length - at, SENDFILE_WAIT_MS);
              this.sendfileJobs++;
              const n = await job.finally(() => this.sendfileJobs--);
              at += n;
              this.sentfileBytes += n;
              if (n > 0) this.streamProgressAt = Date.now();
            } catch (e) {
              const err = e as SendfileError;
              failed = err;
              peerGone = err.code === 'EPIPE' || err.code === 'ECONNRESET';
            }
            if (at < c.length && !stopped()) {
              // The socket stayed full for the job's whole wait: a slow reader. Send one piece the
              // ordinary way, whose write waits for room in the event loop, not on a pool thread.
              this.sentfileWaits++;
              if (pieces.length === 0) pieces.push(bufferPool.take(STREAM_PIECE_BYTES));
              const n = Math.min(STREAM_PIECE_BYTES, c.length - at);
              await c.read(pieces[0].subarray(0, n), at);
              if (stopped()) break;
              writing = write(pieces[0].subarray(0, n));
              await writing;
              at += n;
              this.streamProgressAt = Date.now();
            }
          }
          continue;
        }
        while (pieces.length < 2) pieces.push(bufferPool.take(STREAM_PIECE_BYTES));
        for (let at = 0; at < c.length && !stopped(); ) {
          const n = Math.min(STREAM_PIECE_BYTES, c.length - at);
          const piece = pieces[turn];
          turn ^= 1;
          // The piece was last written two steps ago: wait until the kernel has it before reusing it.
          const before = writing;
          await Promise.all([before, c.read(piece.subarray(0, n), at)]);
          if (stopped()) break;
          writing = write(piece.subarray(0, n));
          at += n;
        }
      }
      await writing;
    } catch (err) {
      failed ??= err;
      await writing.catch(() => undefined);
    }
    for (const p of pieces) bufferPool.give(p);
    this.streaming = false;
    // The socket saw no writes while sendfile ran: idle time counts from the stream's end.
    if (usedSendfile && this.opts.idleMs > 0 && !this.closed) s.setTimeout(this.opts.idleMs);
    if (sent) runAll(sent);
    if (failed !== null && !this.closed) {
      this.close(peerGone ? 'peer went away during a streamed response' : 'reading a streamed response failed', peerGone ? 'debug' : 'warn', failed, true);
      return;
    }
    if (!this.closed) this.pump();
  }

  private onDrain(): void {
    this.writeBlocked = false;
    this.maybeResetWriter();
    this.pump();
  }

  private updateReading(): void {
    const shouldPause = this.writeBlocked || this.slots.length >= this.opts.maxInFlight || this.overBytes();
    if (shouldPause && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    } else if (!shouldPause && this.readPaused && !this.closed) {
      this.readPaused = false;
      this.socket.resume();
    }
  }

  /**
   * Whether the socket's unacknowledged bytes changed since the last look: the reader took some.
   * A write that waits for room completes only once the kernel's send queue has drained by a third,
   * which a slow reader with a large send buffer can take longer than the idle time to do. The
   * first look counts as a change; a reader that takes nothing is closed one idle period later.
   */
  private peerTookBytes(): boolean {
    const unsent = nativeHelper('unsentBytes');
    const fd = socketFd(this.socket);
    if (!unsent || fd < 0) return false;
    const n = unsent(fd);
    if (n < 0 || n === this.lastUnsent) return false;
    this.lastUnsent = n;
    return true;
  }

  private onTimeout(): void {
    // A request still being worked on (a long poll) is activity; otherwise the connection is idle.
    if (this.slots.length > 0) return;
    // sendfile moves bytes without the socket seeing writes: a stream's progress within the idle time
    // is activity, and so is a slow reader taking bytes while a write waits for room.
    if (this.streaming && (Date.now() - this.streamProgressAt < this.opts.idleMs || this.peerTookBytes())) {
      this.socket.setTimeout(this.opts.idleMs);
      return;
    }
    this.close(`idle for more than ${this.opts.idleMs} ms (connections.max.idle.ms)`, 'debug');
  }
}
