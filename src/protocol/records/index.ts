export * from './batch-header.js';
export { crc32c } from './crc32c.js';
export { RecordsError } from './records-error.js';
export {
  CREATE_TIME, LOG_APPEND_TIME, NO_TIMESTAMP, NO_PARTITION_LEADER_EPOCH, DEFAULT_MAX_UNCOMPRESSED_BYTES,
  type RecordHeader, type KafkaRecord, type RecordBatch, type DecodeOptions, type EncodableRecord,
  type EncodableBatch, iterateRecords, decodeRecordBatch, encodeRecords, encodeRecordBatch,
} from './record-batch.js';
export {
  type Bytes, type RecordInput, type BuildBatchOptions, type ControlRecord, type EndTxnMarkerOptions,
  ControlRecordType, buildRecordBatch, parseControlRecord, buildEndTxnMarkerBatch,
} from './builder.js';
export {
  MIN_RECORD_SIZE, type AppendValidationOptions, type BatchSpan, validateBatchForAppend, produceErrorForVersion,
  batches, forEachBatch, errorCodeFor,
} from './validate.js';
export {
  type LegacyMessage, type LegacyReadOptions, type LegacyWriteMessage, type LegacyWriteOptions, LEGACY_CRC,
  LEGACY_MAGIC, LEGACY_ATTRIBUTES, legacyHeaderSize, crc32ieee, readMessageSet, writeMessageSet,
} from './legacy.js';
export { type LegacyToV2Options, type V2ToLegacyOptions, convertLegacyToV2, convertV2ToLegacy } from './convert.js';
