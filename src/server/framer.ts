/**
 * Splits a byte stream into Kafka frames (int32 size, then that many bytes). Incoming chunks are
 * kept in a list, never concatenated; a frame inside one chunk is returned as a view (no copy), a
 * frame spanning chunks is copied exactly once into a buffer of its own size.
 */

export class FrameError extends Error {
  override name = 'FrameError';
  constructor(
    message: string,
    readonly size: number,
  ) {
    super(message);
  }
}

export class Framer {
  private chunks: Buffer[] = [];
  /** Bytes already consumed from chunks[0]. */
  private head = 0;
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next complete frame's payload (without the size), or null when more bytes are needed.
   * Throws FrameError for a negative or too large size; the connection must then be closed.
   */
  next(): Buffer | null {
    if (this.buffered < 4) return null;
    const size = this.peekInt32();
    if (size < 0 || size > this.maxFrameBytes) {
      throw new FrameError(
        size < 0 ? `negative frame size ${size}` : `frame size ${size} is larger than socket.request.max.bytes (${this.maxFrameBytes})`,
        size,
      );
    }
    if (this.buffered < 4 + size) return null;
    this.skip(4);
    return this.take(size);
  }

  private peekInt32(): number {
    const first = this.chunks[0];
    if (first.length - this.head >= 4) return first.readInt32BE(this.head);
    const b = Buffer.allocUnsafe(4);
    let n = 0;
    for (let i = 0, off = this.head; n < 4; i++, off = 0) {
      n += this.chunks[i].copy(b, n, off, Math.min(this.chunks[i].length, off + 4 - n));
    }
    return b.readInt32BE(0);
  }

  private skip(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const avail = this.chunks[0].length - this.head;
      if (n < avail) {
        this.head += n;
        return;
      }
      n -= avail;
      this.chunks.shift();
      this.head = 0;
    }
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first.length - this.head >= n) {
      const frame = first.subarray(this.head, this.head + n);
      this.skip(n);
      return frame;
    }
    const frame = Buffer.allocUnsafe(n);
    let copied = 0;
    while (copied < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length - this.head, n - copied);
      c.copy(frame, copied, this.head, this.head + k);
      copied += k;
      this.skip(k);
    }
    return frame;
  }
}
