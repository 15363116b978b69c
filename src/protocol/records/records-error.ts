/**
 * The error records code throws for malformed bytes. It carries the Kafka error code a handler should
 * answer with (CORRUPT_MESSAGE unless said otherwise), so callers map it to a response without guessing.
 */
import { ErrorCode } from '../errors.js';

export class RecordsError extends Error {
  override readonly name = 'RecordsError';
  constructor(
    message: string,
    readonly errorCode: number = ErrorCode.CORRUPT_MESSAGE,
  ) {
    super(message);
  }
}
