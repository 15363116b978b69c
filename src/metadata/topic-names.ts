/**
 * Topic name rules, as Kafka's Topic.validate: ASCII alphanumerics, '.', '_' and '-', length 1..249,
 * not "." or "..". Names that differ only by '.' versus '_' collide (metric names would clash):
 * CreateTopics answers INVALID_TOPIC_EXCEPTION for a collision, TOPIC_ALREADY_EXISTS for the same name.
 */

export const MAX_TOPIC_NAME_LENGTH = 249;
export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state';
const INTERNAL_TOPICS = new Set([GROUP_METADATA_TOPIC_NAME, TRANSACTION_STATE_TOPIC_NAME, '__cluster_metadata']);
const LEGAL = /^[a-zA-Z0-9._-]*$/;

/** Why `name` is not a legal topic name, or null when it is. */
export function invalidTopicReason(name: string): string | null {
  if (name.length === 0) return 'the empty string is not allowed';
  if (name === '.') return "'.' is not allowed";
  if (name === '..') return "'..' is not allowed";
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`;
  }
  if (!LEGAL.test(name)) return `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

export function isValidTopicName(name: string): boolean {
  return invalidTopicReason(name) === null;
}

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

/** The name with '.' unified to '_' — two different names with the same key collide. */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

export function topicsCollide(a: string, b: string): boolean {
  return collisionKey(a) === collisionKey(b);
}
