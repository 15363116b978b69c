/** The one error type compression code throws: a bad or oversized payload is data, not a crash. */
export type CompressionFailure = 'limit' | 'corrupt' | 'unsupported';

export class CompressionError extends Error {
  override readonly name = 'CompressionError';
  constructor(
    /** Kafka codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), or -1 when unknown. */
    readonly codec: number,
    /** 'limit' = output would exceed maxOutputBytes (a decompression bomb or an oversized batch). */
    readonly reason: CompressionFailure,
    message: string,
  ) {
    super(message);
  }
}
