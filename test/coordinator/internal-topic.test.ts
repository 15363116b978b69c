/**
 * The internal topics' key → partition rule is Kafka's: Utils.abs(key.hashCode) % n, where
 * Utils.abs maps Integer.MIN_VALUE to 0. Groups and transactional ids share it.
 */
import { describe, expect, it } from 'vitest';
import { javaStringHash, partitionForKey } from '../../src/coordinator/internal-topic.js';
import { partitionFor as groupPartitionFor } from '../../src/coordinator/group/records.js';

describe('internal topic partitioning', () => {
  it('hashes as Java String.hashCode', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648); // Integer.MIN_VALUE
  });

  it('maps Integer.MIN_VALUE to partition 0, as Utils.abs does', () => {
    expect(partitionForKey('polygenelubricants', 50)).toBe(0);
    // A plain Math.abs(h % n) would give 48 here: the rule the transaction log used before.
    expect(Math.abs(javaStringHash('polygenelubricants') % 50)).toBe(48);
  });

  it('is the same rule for groups and transactional ids', () => {
    for (const key of ['orders', 'tx-1', 'polygenelubricants', 'émoji-☃']) {
      expect(groupPartitionFor(key, 50)).toBe(partitionForKey(key, 50));
    }
    expect(partitionForKey('hello', 50)).toBe(99162322 % 50);
  });
});
