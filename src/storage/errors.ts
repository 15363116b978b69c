/** Storage errors that handlers map to Kafka error codes. */

/** A read or DeleteRecords offset outside [logStartOffset, logEndOffset] (OFFSET_OUT_OF_RANGE). */
export class OffsetOutOfRangeError extends Error {
  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(`offset ${offset} is outside [${logStartOffset}, ${logEndOffset}]`);
    this.name = 'OffsetOutOfRangeError';
  }
}

/** The log hit an I/O error earlier and refuses further appends (KAFKA_STORAGE_ERROR). */
export class LogFailedError extends Error {
  constructor(
    readonly partitionName: string,
    cause: unknown,
  ) {
    super(`log ${partitionName} is offline after an I/O error: ${(cause as Error)?.message ?? cause}`, { cause });
    this.name = 'LogFailedError';
  }
}
