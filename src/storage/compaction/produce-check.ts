/**
 * The Produce path's check for compacted topics (called from src/storage/service/produce.ts), kept
 * apart from keyless.ts so the storage engines do not depend on metadata.
 */
import type { BrokerConfig } from '../../metadata/broker-config.js';
import { effectiveTopicConfig } from '../../metadata/topic-config.js';
import type { TopicInfo } from '../../metadata/topic-registry.js';
import { ErrorCode } from '../../protocol/errors.js';
import { errorCodeFor, produceErrorForVersion } from '../../protocol/records/validate.js';
import { hasKeylessRecords } from './keyless.js';

/**
 * The Produce error for batches bound for `topic`, or null: on a topic whose cleanup.policy contains
 * compact a keyless record is INVALID_RECORD (CORRUPT_MESSAGE before Produce v8), as in Kafka.
 */
export function keylessRecordError(config: BrokerConfig, topic: TopicInfo, batches: Buffer[], produceVersion: number): number | null {
  const policy = effectiveTopicConfig('cleanup.policy', topic.configs, config) as string[] | null;
  if (!policy?.includes('compact')) return null;
  try {
    if (!batches.some(hasKeylessRecords)) return null;
    return produceErrorForVersion(ErrorCode.INVALID_RECORD, produceVersion);
  } catch (err) {
    return errorCodeFor(err);
  }
}
