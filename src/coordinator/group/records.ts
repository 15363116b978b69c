/**
 * The on-disk format of __consumer_offsets: Apache Kafka's own key/value schemas, so Kafka's tools
 * (kafka-dump-log --offsets-decoder) can read Brook's log. Every key and value starts with an int16
 * version; a null value is a tombstone.
 *
 *   OffsetCommitKey   v1: group string, topic string, partition int32
 *   OffsetCommitValue v3: offset int64, leaderEpoch int32, metadata string, commitTimestamp int64
 *   GroupMetadataKey  v2: group string
 *   GroupMetadataValue v3: protocolType string, generation int32, protocol string?, leader string?,
 *       currentStateTimestamp int64, members [memberId, groupInstanceId?, clientId, clientHost,
 *       rebalanceTimeout int32, sessionTimeout int32, subscription bytes, assignment bytes]
 *
 * Decoding also accepts the older versions Kafka wrote (offset value v0-v3, group value v0-v3) and
 * skips record types it does not know (Kafka 4's consumer-group records, keys 3+).
 */
import { Reader, Writer } from '../../protocol/primitives/index.js';
import type { CoordinatorRecord, GroupSnapshot, OffsetEntry } from './types.js';
import { partitionForKey } from '../internal-topic.js';

export const OFFSET_KEY_VERSION = 1;
export const OFFSET_VALUE_VERSION = 3;
export const GROUP_KEY_VERSION = 2;
export const GROUP_VALUE_VERSION = 3;

export function encodeKey(rec: CoordinatorRecord): Buffer {
  const w = new Writer(64);
  if (rec.type === 'offset') {
    w.int16(OFFSET_KEY_VERSION);
    w.string(rec.groupId);
    w.string(rec.topic);
    w.int32(rec.partition);
  } else {
    w.int16(GROUP_KEY_VERSION);
    w.string(rec.groupId);
  }
  return w.toBuffer();
}

export function encodeValue(rec: CoordinatorRecord): Buffer | null {
  if (rec.value === null) return null;
  const w = new Writer(128);
  if (rec.type === 'offset') {
    const v = rec.value;
    w.int16(OFFSET_VALUE_VERSION);
    w.int64(BigInt(v.offset));
    w.int32(v.leaderEpoch);
    w.string(v.metadata);
    w.int64(BigInt(v.commitTimestamp));
    return w.toBuffer();
  }
  const g = rec.value;
  w.int16(GROUP_VALUE_VERSION);
  w.string(g.protocolType);
  w.int32(g.generationId);
  w.nullableString(g.protocolName);
  w.nullableString(g.leaderId);
  w.int64(BigInt(g.stateTimestamp));
  w.int32(g.members.length);
  for (const m of g.members) {
    w.string(m.memberId);
    w.nullableString(m.groupInstanceId);
    w.string(m.clientId);
    w.string(m.clientHost);
    w.int32(m.rebalanceTimeoutMs);
    w.int32(m.sessionTimeoutMs);
    w.bytes(m.subscription);
    w.bytes(m.assignment);
  }
  return w.toBuffer();
}

function decodeOffsetValue(r: Reader): OffsetEntry {
  const version = r.int16();
  const offset = Number(r.int64());
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = Number(r.int64());
  r.check();
  return { offset, leaderEpoch, metadata, commitTimestamp };
}

function decodeGroupValue(r: Reader): GroupSnapshot {
  const version = r.int16();
  const protocolType = r.string();
  const generationId = r.int32();
  const protocolName = r.nullableString();
  const leaderId = r.nullableString();
  const stateTimestamp = version >= 2 ? Number(r.int64()) : -1;
  const n = r.int32();
  if (n < 0 || n > r.remaining) r.fail('member count');
  const members: GroupSnapshot['members'] = [];
  for (let i = 0; i < n && r.err === null; i++) {
    const memberId = r.string();
    const groupInstanceId = version >= 3 ? r.nullableString() : null;
    const clientId = r.string();
    const clientHost = r.string();
    const rebalanceTimeoutMs = version >= 1 ? r.int32() : -1;
    const sessionTimeoutMs = r.int32();
    const subscription = Buffer.from(r.bytes());
    const assignment = Buffer.from(r.bytes());
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs: rebalanceTimeoutMs < 0 ? sessionTimeoutMs : rebalanceTimeoutMs, sessionTimeoutMs, subscription, assignment });
  }
  r.check();
  return { protocolType, generationId, protocolName, leaderId, stateTimestamp, members };
}

/** The record a key/value pair holds, or null for a record type Brook does not use. Throws on a malformed key or value. */
export function decodeRecord(key: Buffer, value: Buffer | null): CoordinatorRecord | null {
  const r = new Reader(key);
  const keyVersion = r.int16();
  let rec: CoordinatorRecord | null = null;
  if (keyVersion === 0 || keyVersion === 1) {
    const groupId = r.string();
    const topic = r.string();
    const partition = r.int32();
    r.check();
    rec = { type: 'offset', groupId, topic, partition, value: value === null ? null : decodeOffsetValue(new Reader(value)) };
  } else if (keyVersion === 2) {
    const groupId = r.string();
    r.check();
    rec = { type: 'group', groupId, value: value === null ? null : decodeGroupValue(new Reader(value)) };
  }
  return rec;
}

/** Kafka's partitionFor: Utils.abs(groupId.hashCode()) % partitions (shared with __transaction_state). */
export const partitionFor = partitionForKey;
