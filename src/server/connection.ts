/**
 * One client connection: frames in, responses out in request order.
 *
 * Every request gets a slot in a FIFO; a slot is filled when its response is encoded (at once for
 * synchronous handlers, later for long polls) and the queue's completed head is written out under
 * one cork, so many responses leave in one syscall. Backpressure: reading pauses while the socket's
 * write buffer is full (until 'drain') or while too many requests are in flight.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { Writer } from '../protocol/primitives/index.js';
import type { ConnectionInfo } from '../handlers/types.js';
import type { ConnectionContext, Dispatcher, Encoded } from './dispatcher.js';
import { FrameError, Framer } from './framer.js';

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
  /** Times reading was paused because the socket's write buffer was full (tests, metrics). */
  writePauses = 0;

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
    this.ctx = { info, writer: this.writer, signal: this.abort.signal, logger: this.logger };
    socket.setNoDelay(true);
    if (opts.idleMs > 0) socket.setTimeout(opts.idleMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('timeout', () => this.onTimeout());
    socket.on('error', (err) => this.logger.debug({ err }, 'socket error'));
    socket.on('close', () => this.teardown());
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
    this.slots.length = 0;
    this.inFlightBytes = 0;
    this.abort.abort();
    this.socket.pause();
    this.onClose(this);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.framer.push(chunk);
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
      outcome = this.dispatcher.dispatch(frame, this.ctx, (fn) => (slot.sent ??= []).push(fn));
    } catch (err) {
      this.close('request dispatch failed', 'warn', err);
      return;
    }
    if (outcome instanceof Promise) {
      outcome.then(
        (chunks) => this.complete(slot, chunks),
        (e: { close?: string; err?: unknown }) => this.close(e?.close ?? 'handler failed', 'warn', e?.err ?? e),
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
    if (this.closed) return;
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
    while (this.slots.length > 0 && this.slots[0].done) {
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
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) ok = s.write(chunks[i]) && ok;
      // The write callback runs once libuv is done with the bytes (written, or the socket failed).
      ok = (sent ? s.write(chunks[last], () => runAll(sent)) : s.write(chunks[last])) && ok;
    }
    if (corked) s.uncork();
    if (!ok) {
      this.writeBlocked = true;
      this.writePauses++;
    }
    if (this.slots.length === 0 && s.writableLength === 0) this.writer.reset();
    return released;
  }

  private onDrain(): void {
    this.writeBlocked = false;
    if (this.slots.length === 0 && this.socket.writableLength === 0) this.writer.reset();
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

  private onTimeout(): void {
    // A request still being worked on (a long poll) is activity; otherwise the connection is idle.
    if (this.slots.length > 0) return;
    this.close(`idle for more than ${this.opts.idleMs} ms (connections.max.idle.ms)`, 'debug');
  }
}
