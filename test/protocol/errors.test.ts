import { describe, expect, it } from 'vitest';
import { ErrorCode, allErrors, errorName, isKnownError, isRetriable } from '../../src/protocol/errors.js';

describe('Kafka error codes', () => {
  it('has Kafka codes under Kafka names', () => {
    expect(ErrorCode.UNKNOWN_SERVER_ERROR).toBe(-1);
    expect(ErrorCode.NONE).toBe(0);
    expect(ErrorCode.OFFSET_OUT_OF_RANGE).toBe(1);
    expect(ErrorCode.CORRUPT_MESSAGE).toBe(2);
    expect(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).toBe(3);
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
    expect(ErrorCode.MESSAGE_TOO_LARGE).toBe(10);
    expect(ErrorCode.NOT_COORDINATOR).toBe(16);
    expect(ErrorCode.RECORD_LIST_TOO_LARGE).toBe(18);
    expect(ErrorCode.REBALANCE_IN_PROGRESS).toBe(27);
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
    expect(ErrorCode.INVALID_REQUEST).toBe(42);
    expect(ErrorCode.DUPLICATE_SEQUENCE_NUMBER).toBe(46);
    expect(ErrorCode.INVALID_TRANSACTION_TIMEOUT).toBe(50);
    expect(ErrorCode.KAFKA_STORAGE_ERROR).toBe(56);
    expect(ErrorCode.FETCH_SESSION_ID_NOT_FOUND).toBe(70);
    expect(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE).toBe(76);
    expect(ErrorCode.MEMBER_ID_REQUIRED).toBe(79);
    expect(ErrorCode.INVALID_RECORD).toBe(87);
    expect(ErrorCode.PRODUCER_FENCED).toBe(90);
    expect(ErrorCode.UNKNOWN_TOPIC_ID).toBe(100);
    expect(ErrorCode.STALE_MEMBER_EPOCH).toBe(113);
    expect(ErrorCode.TRANSACTION_ABORTABLE).toBe(120);
    expect(ErrorCode.REBOOTSTRAP_REQUIRED).toBe(129);
  });

  it('codes and names are unique and contiguous from -1', () => {
    const rows = allErrors();
    const codes = rows.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
    codes.forEach((c, i) => expect(c).toBe(i - 1));
    expect(codes.length).toBeGreaterThan(130);
  });

  it('names and retriable flags', () => {
    expect(errorName(2)).toBe('CORRUPT_MESSAGE');
    expect(errorName(0)).toBe('NONE');
    expect(errorName(9999)).toBe('UNKNOWN_ERROR_9999');
    expect(isKnownError(9999)).toBe(false);
    for (const c of [2, 3, 5, 6, 7, 13, 14, 15, 16, 19, 20, 56, 74, 75, 100]) expect(isRetriable(c)).toBe(true);
    for (const c of [-1, 0, 1, 10, 25, 27, 35, 42, 45, 46, 47, 90]) expect(isRetriable(c)).toBe(false);
  });
});
