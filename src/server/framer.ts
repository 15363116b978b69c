/**
 * Splits a byte stream into Kafka frames (int32 size, then that many bytes). Every frame ends up
 * in one buffer of its own, taken from the buffer pool once its size is known (whoever finishes with
 * a frame may give it back, see RequestContext.releaseRequestBytes); nothing else is allocated per
 * read. Bytes arrive either in a chunk the framer does not own (a reused read buffer, or a stream
 * chunk), from which they are copied into their frame, or straight into the frame being filled:
 * readTarget() hands out the unfilled rest of a large frame so the next socket read lands there.
 *
 * Frames are parsed as bytes arrive and queued; a malformed size is reported by next() only after
 * the frames before it, so requests that came first are still answered.
 */

import { BufferPool, bufferPool } from '../protocol/primitives/buffer-pool.js';

export class FrameError extends Error {
  override name = 'FrameError';
  constructor(
    message: string,
    readonly size: number,
  ) {
    super(message);
  }
}

/** A frame this large is read straight into its own buffer rather than through the read buffer. */
const DIRECT_READ_MIN = 16 * 1024;
/** A frame larger than this gets its buffer in steps as bytes arrive (a header alone commits no memory). */
const EAGER_ALLOC_MAX = 4 * 1024 * 1024;

const EMPTY = Buffer.alloc(0);

export class Framer {
  private readonly frames: Buffer[] = [];
  private head = 0;
  private queuedBytes = 0;
  /** Size header bytes gathered so far (a header may span reads). */
  private readonly header = Buffer.alloc(4);
  private headerBytes = 0;
  /** The frame being filled: its buffer (possibly shorter than size while growing) and size. */
  private partial: Buffer | null = null;
  private partialSize = 0;
  private filled = 0;
  private error: FrameError | null = null;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly pool: BufferPool = bufferPool,
  ) {}

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.queuedBytes + this.headerBytes + this.filled;
  }

  /**
   * Where the next read should land: the unfilled rest of a large frame, or null when the bytes
   * should go to a read buffer and be handed over with received().
   */
  readTarget(): Buffer | null {
    const p = this.partial;
    if (p === null || p.length !== this.partialSize || this.error) return null;
    if (this.partialSize - this.filled < DIRECT_READ_MIN) return null;
    return p.subarray(this.filled);
  }

  /** Takes a chunk that the caller keeps (its bytes are copied). */
  push(chunk: Buffer): void {
    this.received(chunk, chunk.length);
  }

  /**
   * The first n bytes of src arrived. src is either a buffer the caller reuses (its bytes are
   * copied before this returns) or the region readTarget() returned (then nothing is copied).
   */
  received(src: Buffer, n: number): void {
    if (this.error) return;
    let p = 0;
    if (this.partial !== null && n > 0) {
      const part = this.partial;
      if (src.buffer === part.buffer && src.byteOffset === part.byteOffset + this.filled) {
        this.filled += n;
        if (this.filled === this.partialSize) this.finishPartial();
        return;
      }
      p = this.fill(src, 0, n);
    }
    while (p < n) {
      let size: number;
      if (this.headerBytes === 0 && n - p >= 4) {
        size = src.readInt32BE(p);
        p += 4;
      } else {
        const k = Math.min(4 - this.headerBytes, n - p);
        src.copy(this.header, this.headerBytes, p, p + k);
        this.headerBytes += k;
        p += k;
        if (this.headerBytes < 4) return;
        this.headerBytes = 0;
        size = this.header.readInt32BE(0);
      }
      if (size < 0 || size > this.maxFrameBytes) {
        this.error = new FrameError(
          size < 0 ? `negative frame size ${size}` : `frame size ${size} is larger than socket.request.max.bytes (${this.maxFrameBytes})`,
          size,
        );
        return;
      }
      if (size === 0) {
        this.enqueue(EMPTY);
      } else if (n - p >= size) {
        const frame = this.pool.take(size);
        src.copy(frame, 0, p, p + size);
        p += size;
        this.enqueue(frame);
      } else {
        this.partial = size <= EAGER_ALLOC_MAX ? this.pool.take(size) : Buffer.allocUnsafe(Math.max(EAGER_ALLOC_MAX, n - p));
        this.partialSize = size;
        this.filled = 0;
        p = this.fill(src, p, n);
      }
    }
  }

  /** Copies src[p, n) into the partial frame, as far as it goes; returns the new p. */
  private fill(src: Buffer, p: number, n: number): number {
    const want = Math.min(n - p, this.partialSize - this.filled);
    if (this.filled + want > this.partial!.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.partialSize, Math.max(this.filled + want, 2 * this.partial!.length)));
      this.partial!.copy(grown, 0, 0, this.filled);
      this.partial = grown;
    }
    src.copy(this.partial!, this.filled, p, p + want);
    this.filled += want;
    if (this.filled === this.partialSize) this.finishPartial();
    return p + want;
  }

  private finishPartial(): void {
    const frame = this.partial!;
    this.partial = null;
    this.filled = 0;
    this.enqueue(frame);
  }

  private enqueue(frame: Buffer): void {
    this.frames.push(frame);
    this.queuedBytes += frame.length;
  }

  /**
   * The next complete frame's payload (without the size), or null when more bytes are needed.
   * Throws FrameError for a negative or too large size, once the frames before it are taken;
   * the connection must then be closed.
   */
  next(): Buffer | null {
    if (this.head === this.frames.length) {
      if (this.error) throw this.error;
      return null;
    }
    const frame = this.frames[this.head];
    this.frames[this.head++] = EMPTY;
    this.queuedBytes -= frame.length;
    if (this.head === this.frames.length) {
      this.frames.length = 0;
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.frames.length) {
      this.frames.splice(0, this.head);
      this.head = 0;
    }
    return frame;
  }
}
