/**
 * DeleteTopics (key 20), versions 0-6: by name (topic_names, v0-5; topics[].name, v6) and by topic id
 * (v6). Deleting removes the topic from the registry and deletes its partition logs (TopicManager).
 *
 * Errors, as Kafka's controller: unknown name UNKNOWN_TOPIC_OR_PARTITION, unknown id UNKNOWN_TOPIC_ID,
 * a name or id given twice INVALID_REQUEST "Duplicate topic name." / "Duplicate topic id.", both name
 * and id (or neither) INVALID_REQUEST; delete.topic.enable=false answers TOPIC_DELETION_DISABLED for
 * every topic (INVALID_REQUEST below v3, which predates that code). Brook also refuses internal
 * topics (__consumer_offsets, __transaction_state): the coordinators keep their state there, and
 * Kafka's own tools refuse to delete them. timeout_ms is not used: deletion finishes before the answer.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { DeleteTopicsRequest, DeleteTopicsResponse, DeleteTopicsResponseDeletableTopicResult } from '../protocol/generated/020-delete-topics.js';
import type { Init } from '../protocol/primitives/index.js';
import { ZERO_TOPIC_ID } from '../metadata/topic-registry.js';
import { isInternal } from './cluster-view.js';
import type { RequestContext } from './types.js';

export const apiKey = 20;
export const minVersion = 0;
export const maxVersion = 6;

type Result = Init<DeleteTopicsResponseDeletableTopicResult>;

const result = (name: string | null, topicId: string, errorCode: number, errorMessage: string | null): Result => ({ name, topicId, errorCode, errorMessage });

/** One request entry: a name or an id (the other unset). */
interface Target {
  name: string | null;
  topicId: string;
}

export async function handle(ctx: RequestContext, request: DeleteTopicsRequest, version: number): Promise<Init<DeleteTopicsResponse>> {
  const { topics, config } = ctx.services;
  const targets: Target[] = version >= 6 ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId })) : request.topicNames.map((name) => ({ name, topicId: ZERO_TOPIC_ID }));

  if (!config.bool('delete.topic.enable')) {
    const code = version < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED;
    return { throttleTimeMs: 0, responses: targets.map((t) => result(t.name, t.topicId, code, 'Topic deletion is disabled.')) };
  }

  const out: Result[] = [];
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  const valid: Target[] = [];
  for (const t of targets) {
    if (t.name === null && t.topicId === ZERO_TOPIC_ID) out.push(result(null, ZERO_TOPIC_ID, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'));
    else if (t.name !== null && t.topicId !== ZERO_TOPIC_ID) out.push(result(t.name, t.topicId, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'));
    else {
      const key = t.name ?? t.topicId;
      const seen = t.name !== null ? names : ids;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      valid.push(t);
    }
  }
  for (const [name, n] of names) if (n > 1) out.push(result(name, ZERO_TOPIC_ID, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));
  for (const [id, n] of ids) if (n > 1) out.push(result(null, id, ErrorCode.INVALID_REQUEST, 'Duplicate topic id.'));

  const done = new Set<string>(); // a name and an id for the same topic: delete once
  for (const t of valid) {
    if ((t.name !== null ? names.get(t.name)! : ids.get(t.topicId)!) > 1) continue;
    const info = t.name !== null ? topics.get(t.name) : topics.getById(t.topicId);
    if (!info) {
      out.push(
        t.name !== null
          ? result(t.name, ZERO_TOPIC_ID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
          : result(null, t.topicId, ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.'),
      );
      continue;
    }
    if (done.has(info.topicId)) {
      out.push(result(info.name, info.topicId, ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.'));
      continue;
    }
    done.add(info.topicId);
    if (isInternal(info)) {
      out.push(result(info.name, info.topicId, ErrorCode.INVALID_REQUEST, `Topic ${info.name} is an internal topic and cannot be deleted.`));
      continue;
    }
    const r = await topics.deleteTopic(info.name);
    out.push(result(info.name, info.topicId, r.errorCode, 'topic' in r ? null : r.message));
  }
  return { throttleTimeMs: 0, responses: out };
}
